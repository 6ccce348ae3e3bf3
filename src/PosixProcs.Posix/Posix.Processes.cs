namespace PosixProcs;

public static partial class Posix
{
    /// <summary>This process's effective user id (geteuid), which decides what it may open.</summary>
    public static uint EffectiveUserId => Interop.geteuid();

    /// <summary>
    /// Waits for one specific child (waitpid). Never "any child" (-1): other code in the
    /// process, such as System.Diagnostics.Process, keeps its own children. EINTR is retried.
    /// </summary>
    /// <param name="pid">The child.</param>
    /// <param name="options">NoHang to poll; Untraced/Continued to also see stops and continues.</param>
    /// <returns>The status; <see cref="WaitStatus.StillRunning"/> when NoHang found no change.</returns>
    /// <exception cref="PosixException">ECHILD: not a child of this process, or already reaped.</exception>
    public static unsafe WaitStatus WaitPid(Pid pid, WaitOptions options = WaitOptions.None)
    {
        int value = pid.Checked();
        if ((options & ~(WaitOptions.NoHang | WaitOptions.Untraced | WaitOptions.Continued)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "Unknown wait option.");
        }

        int raw = 0;
        int rc = Errors.ThrowIfNegative(Interop.waitpid(value, &raw, (int)options), "waitpid");
        return rc == 0 ? WaitStatus.StillRunning.Instance : WaitStatus.Decode(raw);
    }

    /// <summary>
    /// Waits for one specific child, as <see cref="WaitPid"/>, and reports the resource usage of
    /// exactly that child (wait4): its CPU times and peak resident set, including those of the
    /// descendants it waited for itself. Unlike <see cref="GetResourceUsage"/> with
    /// <see cref="ResourceUsageTarget.Children"/>, which sums every child reaped so far, it stays
    /// right when several children run at once. On Linux the peak resident set of a child that
    /// exec'd includes the address space it had before exec (its parent's, copied by fork or
    /// shared through vfork): it is never below the parent's own peak at that moment. EINTR is retried.
    /// </summary>
    /// <param name="pid">The child.</param>
    /// <param name="usage">The child's usage once it has ended and been reaped; <c>null</c> while it runs (NoHang) or when it was only stopped or continued.</param>
    /// <param name="options">NoHang to poll; Untraced/Continued to also see stops and continues.</param>
    /// <returns>The status; <see cref="WaitStatus.StillRunning"/> when NoHang found no change.</returns>
    /// <exception cref="PosixException">ECHILD: not a child of this process, or already reaped.</exception>
    public static unsafe WaitStatus WaitPidWithUsage(Pid pid, out ResourceUsage? usage, WaitOptions options = WaitOptions.None)
    {
        int value = pid.Checked();
        if ((options & ~(WaitOptions.NoHang | WaitOptions.Untraced | WaitOptions.Continued)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "Unknown wait option.");
        }

        int raw = 0;
        ResourceUsageNative native;
        int rc = Errors.ThrowIfNegative(Interop.wait4(value, &raw, (int)options, &native), "wait4");
        WaitStatus status = rc == 0 ? WaitStatus.StillRunning.Instance : WaitStatus.Decode(raw);
        usage = status.HasEnded ? ResourceUsage.FromNative(native) : null;
        return status;
    }

    /// <summary>Sends a signal to a process (kill).</summary>
    /// <param name="pid">The process.</param>
    /// <param name="signal">The signal.</param>
    /// <exception cref="PosixException">ESRCH: no such process; EPERM: not allowed.</exception>
    public static void Kill(Pid pid, Signal signal) => Errors.ThrowIfNegative(Interop.kill(pid.Checked(), signal.Number), "kill");

    /// <summary>Checks whether a process exists and may be signalled (kill with signal 0).</summary>
    /// <param name="pid">The process.</param>
    /// <returns>False on ESRCH; a zombie still exists until it is reaped.</returns>
    /// <exception cref="PosixException">Any error other than ESRCH.</exception>
    public static bool ProcessExists(Pid pid)
    {
        if (Interop.kill(pid.Checked(), 0) == 0)
        {
            return true;
        }

        PosixErrno errno = Errors.LastErrno();
        return errno switch
        {
            PosixErrno.ESRCH => false,
            PosixErrno.EPERM => true,
            _ => throw new PosixException("kill", errno),
        };
    }

    /// <summary>Sends a signal to every process in a process group (killpg).</summary>
    /// <param name="processGroup">The group's id (the pid of its leader).</param>
    /// <param name="signal">The signal.</param>
    /// <exception cref="PosixException">ESRCH: no such group.</exception>
    public static void KillProcessGroup(Pid processGroup, Signal signal) =>
        Errors.ThrowIfNegative(Interop.killpg(processGroup.Checked(), signal.Number), "killpg");

    /// <summary>Moves a process into a process group (setpgid).</summary>
    /// <param name="pid">The process; <c>null</c> for this one.</param>
    /// <param name="processGroup">The group; <c>null</c> to make the process the leader of a new group.</param>
    /// <exception cref="PosixException">setpgid failed.</exception>
    public static void SetProcessGroup(Pid? pid = null, Pid? processGroup = null) =>
        Errors.ThrowIfNegative(Interop.setpgid(pid?.Checked() ?? 0, processGroup?.Checked() ?? 0), "setpgid");

    /// <summary>The process group of a process (getpgid).</summary>
    /// <param name="pid">The process; <c>null</c> for this one.</param>
    /// <returns>The group id.</returns>
    /// <exception cref="PosixException">ESRCH: no such process.</exception>
    public static Pid GetProcessGroup(Pid? pid = null) => new(Errors.ThrowIfNegative(Interop.getpgid(pid?.Checked() ?? 0), "getpgid"));

    /// <summary>Starts a new session with this process as its leader, detached from the terminal (setsid).</summary>
    /// <returns>The new session id.</returns>
    /// <exception cref="PosixException">EPERM: this process already leads a process group.</exception>
    public static Pid CreateSession() => new(Errors.ThrowIfNegative(Interop.setsid(), "setsid"));

    /// <summary>
    /// Opens a descriptor that refers to a process and becomes readable when it exits
    /// (Linux pidfd_open, kernel 5.3 and later). Close-on-exec.
    /// </summary>
    /// <param name="pid">The process.</param>
    /// <returns>The pidfd.</returns>
    /// <exception cref="PosixException">ENOSYS where pidfds do not exist (macOS, old kernels); ESRCH.</exception>
    public static FileDescriptorHandle PidfdOpen(Pid pid) =>
        new(Errors.ThrowIfNegative(Interop.pidfd_open(pid.Checked()), "pidfd_open"), ownsHandle: true);

    /// <summary>
    /// Asks for <paramref name="signal"/> to be sent to this process when its parent goes.
    /// Linux: prctl PR_SET_PDEATHSIG, which fires when the THREAD that created this process
    /// exits, and survives exec. macOS (no prctl): a small native thread waits for the parent
    /// PROCESS to exit (kqueue EVFILT_PROC NOTE_EXIT) and then signals this process; it does not
    /// survive exec and cannot be cleared. Written for macOS but verified on Linux only, where
    /// the same thread runs over a pidfd in the tests.
    /// </summary>
    /// <param name="signal">The signal; <c>null</c> clears it (Linux only).</param>
    /// <exception cref="PosixException">The call failed; ENOTSUP for <c>null</c> on macOS.</exception>
    public static void SetParentDeathSignal(Signal? signal) =>
        Errors.ThrowIfNegative(Interop.prctl_PR_SET_PDEATHSIG(signal?.Number ?? 0), "prctl(PR_SET_PDEATHSIG)");

    /// <summary>
    /// Whether orphaned descendants of this process are re-parented to it instead of to
    /// init (Linux prctl PR_SET_CHILD_SUBREAPER / PR_GET_CHILD_SUBREAPER).
    /// </summary>
    /// <exception cref="PosixException">ENOTSUP outside Linux.</exception>
    public static bool ChildSubreaper
    {
        get => Errors.ThrowIfNegative(Interop.prctl_PR_GET_CHILD_SUBREAPER(), "prctl(PR_GET_CHILD_SUBREAPER)") == 1;
        set => Errors.ThrowIfNegative(Interop.prctl_PR_SET_CHILD_SUBREAPER(value ? 1 : 0), "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /// <summary>
    /// Ends this process at once (_exit): no finalizers, no atexit handlers, no flush of
    /// buffers. The way out of a forked child.
    /// </summary>
    /// <param name="status">The exit code, 0..255.</param>
    public static void Exit(int status)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(status);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 255);
        Interop._exit(status);
    }
}
