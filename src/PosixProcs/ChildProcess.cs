namespace PosixProcs;

/// <summary>
/// A child of this process, started by <see cref="Fork(Func{ChildContext, int}, ForkOptions?)"/>
/// or <see cref="Spawn(string, IEnumerable{string}, SpawnOptions?)"/>: wait for it, signal it,
/// and be sure it is reaped.
/// </summary>
/// <remarks>
/// Waiting is always on this child's pid, never "any child", so System.Diagnostics.Process
/// keeps working beside it. On Linux (5.3+) a pidfd tells when the child has exited:
/// <see cref="WaitAsync"/> waits on the shared reactor thread, not on a thread of its own;
/// elsewhere the reactor polls with WNOHANG. Signals are never sent to a reaped pid (which
/// the kernel may have given to another process). Disposing a child that still runs kills
/// it with SIGKILL and reaps it: no zombie is left behind; a child that leads a process
/// group takes its group with it. Only this child is ever reaped: its descendants are
/// re-parented to init (or a subreaper, see <see cref="OrphanReaper"/>) when it ends.
/// </remarks>
public sealed partial class ChildProcess : IDisposable, IAsyncDisposable
{
    private static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private readonly FileDescriptorHandle? _pidfd;
    private readonly ChildFaultReader? _faultReader;
    private WaitStatus? _status;
    private ResourceUsage? _usage;
    private ChildFault? _fault;
    private bool _disposed;

    /// <summary>Pids of children a ChildProcess has not reaped yet: <see cref="OrphanReaper"/> leaves them alone.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> Unreaped = new();

    private ChildProcess(Pid pid, ChildFaultReader? faultReader, bool leadsProcessGroup)
    {
        Pid = pid;
        LeadsProcessGroup = leadsProcessGroup;
        Unreaped[pid.Value] = 0;
        _faultReader = faultReader;
        _pidfd = TryOpenPidfd(pid);
    }

    /// <summary>The child's process id.</summary>
    public Pid Pid { get; }

    /// <summary>
    /// Whether the child was started leading a process group of its own (its id is <see cref="Pid"/>):
    /// <see cref="SpawnOptions.NewProcessGroup"/>, <see cref="SpawnOptions.NewSession"/> or their
    /// <see cref="ForkOptions"/> twins. Disposing such a child ends its whole group.
    /// </summary>
    public bool LeadsProcessGroup { get; }

    /// <summary>How the child ended, once it has been reaped; <c>null</c> while it runs.</summary>
    public WaitStatus? Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// The child's own resource usage (wait4), once it has been reaped: CPU times and
    /// <see cref="PosixProcs.ResourceUsage.MaxResidentSetBytes"/>, its peak memory in bytes. It
    /// covers the child and the descendants it waited for itself, never this process's other
    /// children. On Linux the peak of a spawned program is never below this process's peak at
    /// the spawn: the kernel counts, at exec, the address space the child had before it.
    /// <c>null</c> while it runs.
    /// </summary>
    public ResourceUsage? ResourceUsage
    {
        get
        {
            lock (_gate)
            {
                return _usage;
            }
        }
    }

    /// <summary>Whether the child has ended and been reaped.</summary>
    public bool HasExited => Status is not null;

    /// <summary>The pipe to the child's input (stdin for spawn, <see cref="ChildContext.Input"/> for fork), if one was asked for.</summary>
    public FileDescriptorStream? StandardInput { get; private set; }

    /// <summary>The pipe from the child's output (stdout for spawn, <see cref="ChildContext.Output"/> for fork), if one was asked for.</summary>
    public FileDescriptorStream? StandardOutput { get; private set; }

    /// <summary>The pipe from the child's stderr (spawn), if one was asked for.</summary>
    public FileDescriptorStream? StandardError { get; private set; }

    /// <summary>The master side of the spawned child's pseudo-terminal, if <see cref="SpawnOptions.Terminal"/> was set.</summary>
    public PseudoTerminal? Terminal { get; private set; }

    /// <summary>The duplex channel to a forked child, if <see cref="ForkOptions.Channel"/> was set.</summary>
    public DuplexChannel? Channel { get; private set; }

    /// <summary>Checks once, without blocking, whether the child has ended (waitpid WNOHANG).</summary>
    /// <returns>The status, or <see cref="WaitStatus.StillRunning"/>.</returns>
    /// <exception cref="ChildProcessException">The forked child's delegate threw.</exception>
    public WaitStatus TryWait() => ThrowIfFaulted(Reap());

    /// <summary>Waits until the child ends and reaps it.</summary>
    /// <returns>How it ended.</returns>
    /// <exception cref="ChildProcessException">The forked child's delegate threw; the exception carries its type, message and stack.</exception>
    public WaitStatus Wait()
    {
        Wait(Timeout.InfiniteTimeSpan);
        return ThrowIfFaulted(Status!);
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the child to end.</summary>
    /// <param name="timeout">How long; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <returns>True if it ended (see <see cref="Status"/>); false if it still runs.</returns>
    /// <exception cref="ChildProcessException">The forked child's delegate threw.</exception>
    public bool Wait(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        int backoffMs = 1;
        while (true)
        {
            WaitStatus status = Reap();
            if (status.HasEnded)
            {
                ThrowIfFaulted(status);
                return true;
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            if (_pidfd is not null && !_pidfd.IsClosed)
            {
                Posix.Poll(_pidfd, PollEvents.In, deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(left));
            }
            else
            {
                Thread.Sleep((int)Math.Min(backoffMs, left));
                backoffMs = Math.Min(backoffMs * 2, 50);
            }
        }
    }

    /// <summary>Waits for the child to end without blocking a thread, and reaps it.</summary>
    /// <param name="cancellationToken">Stops waiting (the child keeps running).</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="ChildProcessException">The forked child's delegate threw.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<WaitStatus> WaitAsync(CancellationToken cancellationToken = default)
    {
        WaitStatus status = Reap();
        while (!status.HasEnded)
        {
            Task ready = _pidfd is not null && !_pidfd.IsClosed
                ? DescriptorReactor.Shared.WhenReady(_pidfd, PollEvents.In, cancellationToken)
                : DescriptorReactor.Shared.WhenTrue(() => Reap().HasEnded, cancellationToken);
            await ready.ConfigureAwait(false);
            status = Reap();
        }

        return ThrowIfFaulted(status);
    }

    /// <summary>Sends a signal to the child.</summary>
    /// <param name="signal">The signal.</param>
    /// <exception cref="InvalidOperationException">The child has already been reaped: its pid may belong to another process now.</exception>
    /// <exception cref="PosixException">kill failed.</exception>
    public void Signal(Signal signal)
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                throw new InvalidOperationException($"Child {Pid} has already ended ({_status}); its pid may belong to another process now.");
            }

            Posix.Kill(Pid, signal);
        }
    }

    /// <summary>Kills the child with SIGKILL (no-op if it has already been reaped). Does not wait.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_status is null)
            {
                Posix.Kill(Pid, PosixProcs.Signal.SIGKILL);
            }
        }
    }

    /// <summary>
    /// Asks the child to stop with SIGTERM, waits up to <paramref name="gracePeriod"/>, then
    /// kills it with SIGKILL (a hung forked .NET child can only be ended that way), and reaps it.
    /// </summary>
    /// <param name="gracePeriod">How long to wait after SIGTERM; default 2 seconds.</param>
    /// <returns>How it ended: Signaled(SIGKILL) if the grace period ran out.</returns>
    public WaitStatus Terminate(TimeSpan? gracePeriod = null)
    {
        lock (_gate)
        {
            if (_status is null)
            {
                Posix.Kill(Pid, PosixProcs.Signal.SIGTERM);
            }
        }

        if (!WaitQuietly(gracePeriod ?? DefaultGracePeriod))
        {
            Kill();
            WaitQuietly(Timeout.InfiniteTimeSpan);
        }

        return Status!;
    }

    /// <summary>The exception the forked child's delegate threw, once the child has been reaped; <c>null</c> if none.</summary>
    public ChildProcessException? Fault
    {
        get
        {
            lock (_gate)
            {
                return _fault is null || _status is null ? null : new ChildProcessException(Pid, _status, _fault);
            }
        }
    }

    /// <summary>
    /// Kills the child if it still runs, reaps it, and closes its pipes. A child that leads a
    /// process group (<see cref="LeadsProcessGroup"/>) and has not been reaped yet takes its
    /// whole group with it: SIGKILL goes to the group, not only to the child. Descendants that
    /// left the group (setsid, setpgid) are not reached: see <see cref="KillTree"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (!HasExited)
        {
            if (LeadsProcessGroup)
            {
                KillGroupWhileUnreaped();
            }
            else
            {
                Kill();
            }

            WaitQuietly(Timeout.InfiniteTimeSpan);
        }

        StandardInput?.Dispose();
        StandardOutput?.Dispose();
        StandardError?.Dispose();
        Terminal?.Dispose();
        Channel?.Dispose();
        _pidfd?.Dispose();
        _faultReader?.Dispose();
        _retainedEnds.ForEach(end => end.Dispose());
    }

    /// <summary>Disposes the child; see <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>"child 1234 (running)" or "child 1234 (exited with code 0)".</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"child {Pid} ({Status?.ToString() ?? "running"})";

    private bool WaitQuietly(TimeSpan timeout)
    {
        try
        {
            return Wait(timeout);
        }
        catch (ChildProcessException)
        {
            return true;
        }
    }

    /// <summary>Reaps the child if it has ended. Only ever WNOHANG under the lock, so a
    /// concurrent Signal can never hit a pid that has been reaped.</summary>
    private WaitStatus Reap()
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                return _status;
            }

            WaitStatus status = Posix.WaitPidWithUsage(Pid, out ResourceUsage? usage, WaitOptions.NoHang);
            if (status.HasEnded)
            {
                _status = status;
                _usage = usage;
                Unreaped.TryRemove(Pid.Value, out _);
                _fault = _faultReader?.ReadAfterExit();
                _pidfd?.Dispose();
            }

            return status;
        }
    }

    /// <summary>
    /// Completes when the child has ended, WITHOUT reaping it where a pidfd tells (Linux): the
    /// zombie keeps its pid, and so its process group id, from being given to another process,
    /// so <see cref="TrySignalGroup"/> stays safe until <see cref="WaitAsync"/> reaps it. Without a
    /// pidfd it reaps (as <see cref="WaitAsync"/>).
    /// </summary>
    internal Task WhenEndedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_status is null && _pidfd is not null && !_pidfd.IsClosed)
            {
                return DescriptorReactor.Shared.WhenReady(_pidfd, PollEvents.In, cancellationToken);
            }
        }

        return WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the process group the child leads (spawned with
    /// <see cref="SpawnOptions.NewProcessGroup"/>), while the child is not reaped yet: after that
    /// its pid, the group's id, may name another process's group. An empty group (ESRCH) is fine.
    /// </summary>
    /// <returns>Whether the signal was sent: false once the child has been reaped.</returns>
    internal bool TrySignalGroup(Signal signal) => RunWhileUnreaped(() =>
    {
        try
        {
            Posix.KillProcessGroup(Pid, signal);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ESRCH)
        {
            // Every member has gone already: nothing to signal.
        }
    });

    /// <summary>
    /// Runs <paramref name="action"/> under the child's lock if the child has not been reaped,
    /// so that its pid, and a process group it belongs to, cannot be reused by another process
    /// meanwhile (a pipeline signals its group this way).
    /// </summary>
    /// <returns>False, without running it, if the child has been reaped.</returns>
    internal bool RunWhileUnreaped(Action action)
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                return false;
            }

            action();
            return true;
        }
    }

    /// <summary>Reaps the child if it has ended, without blocking and without throwing a forked child's fault (see <see cref="Fault"/>).</summary>
    /// <returns>The status, or <see cref="WaitStatus.StillRunning"/>.</returns>
    internal WaitStatus Poll() => Reap();

    /// <summary>Is <paramref name="pid"/> a child that a <see cref="ChildProcess"/> of this process owns and has not reaped yet?</summary>
    internal static bool IsOwnedAndUnreaped(Pid pid) => Unreaped.ContainsKey(pid.Value);

    private WaitStatus ThrowIfFaulted(WaitStatus status)
    {
        ChildProcessException? fault = Fault;
        return fault is null ? status : throw fault;
    }

    private static FileDescriptorHandle? TryOpenPidfd(Pid pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return Posix.PidfdOpen(pid);
        }
        catch (PosixException ex) when (ex.Errno is PosixErrno.ENOSYS or PosixErrno.EPERM)
        {
            return null; // an old kernel or a seccomp filter: fall back to polling
        }
    }
}
