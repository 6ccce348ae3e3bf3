namespace PosixProcs;

public static partial class Posix
{
    /// <summary>
    /// fork(2), guarded: refused with <see cref="ForkHazardException"/> when the runtime
    /// state would crash the parent or hang the child (see <see cref="ForkSafety"/>).
    /// </summary>
    /// <remarks>
    /// The child is a copy of this process with one thread: the one that called Fork. In the
    /// child, SIGTERM, SIGINT, SIGHUP, SIGQUIT and the job-control signals get their default
    /// actions back (the runtime's handlers would swallow them there). It
    /// should do its work and leave through <see cref="Exit"/> (no finalizers, no second
    /// flush of buffers the parent also holds). Console output is autoflushed by .NET, so
    /// nothing written before the fork is printed twice; flush your own buffered writers
    /// before forking. To run a program, use spawn instead: it forks and execs in C.
    /// </remarks>
    /// <param name="acceptedHazards">Hazards to ignore. Only for demonstrating a hazard in a sacrificial process.</param>
    /// <param name="waitForQuietThreads">
    /// How long to wait for other threads to stop running managed code before refusing;
    /// default <see cref="ForkSafety.DefaultWaitForQuietThreads"/>. A busy machine does not
    /// make the guard refuse: only a thread that keeps running is waited for this long.
    /// </param>
    /// <param name="group">
    /// Where the child runs: this process's group (default), or a group or session it leads,
    /// entered in C in the child before any managed code runs there. When Fork returns in the
    /// parent, the child already leads it, so a signal to the group sent at once reaches it.
    /// </param>
    /// <returns><see cref="ForkResult.Parent"/> in the parent, <see cref="ForkResult.Child"/> in the child.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="group"/> is not a <see cref="ChildGroup"/> value.</exception>
    /// <exception cref="ForkHazardException">A hazard was found.</exception>
    /// <exception cref="TimeoutException">With <see cref="ChildGroup.NewSession"/>: the child did not lead its session within 30 s (it was stopped).</exception>
    /// <exception cref="PosixException">fork failed (EAGAIN: process limit; ENOMEM), or the guard could not read /proc (EMFILE).</exception>
    public static ForkResult Fork(ForkHazards acceptedHazards = ForkHazards.None, TimeSpan? waitForQuietThreads = null, ChildGroup group = ChildGroup.Inherit)
    {
        int groupFlags = GroupFlags(group);
        int pid = ForkVerified(acceptedHazards, waitForQuietThreads, (verdictRead, verdictWrite) =>
        {
            unsafe
            {
                fixed (int* signals = ForwardedSignals.Value)
                {
                    return Interop.fork_with_default_signals(signals, ForwardedSignals.Value.Length, verdictRead, verdictWrite, groupFlags);
                }
            }
        });
        return Forked(pid, group);
    }

    private static int GroupFlags(ChildGroup group) => group switch
    {
        ChildGroup.Inherit or ChildGroup.NewProcessGroup or ChildGroup.NewSession => (int)group,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "Unknown child group."),
    };

    /// <summary>
    /// The result of a fork, in the parent once the child leads the session it was asked to.
    /// A new group is made by both sides in C before the fork returns; a session only the child
    /// can make (setsid), right after the verdict, so the parent waits for it here: within
    /// microseconds, since nothing else runs in the child before it.
    /// </summary>
    private static ForkResult Forked(int pid, ChildGroup group)
    {
        if (pid == 0)
        {
            return ForkResult.Child.Instance;
        }

        var child = new Pid(pid);
        if (group == ChildGroup.NewSession)
        {
            AwaitGroupLeader(child);
        }

        return new ForkResult.Parent(child);
    }

    /// <summary>Waits, bounded (30 s), until the child leads its own process group.</summary>
    private static void AwaitGroupLeader(Pid child)
    {
        long deadline = Environment.TickCount64 + 30_000;
        for (int attempt = 0; GetProcessGroup(child) != child; attempt++)
        {
            // An unreaped child, zombie or not, has a group: getpgid cannot fail with ESRCH here.
            if (Environment.TickCount64 > deadline)
            {
                // The caller never gets this child: end and reap it here, or nobody would.
                Kill(child, Signal.SIGKILL);
                WaitPid(child);
                throw new TimeoutException($"Forked child {child} did not lead its own session within 30 s (stopped before its setsid?); it was killed and reaped.");
            }

            if (attempt < 100)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>
    /// The guard, the fork, and the check after it: every other thread was quiet in the
    /// guard's last sample, and the child waits (in C, before any managed code runs in it)
    /// until the parent has seen, in a second sample, that none of them ran meanwhile. If one
    /// did, it may have held a runtime lock at the moment of the fork, which would hang the
    /// child: the child is ended and reaped, and the fork is tried again within the same wait.
    /// </summary>
    /// <returns>The child's pid in the parent, 0 in the child.</returns>
    private static int ForkVerified(ForkHazards acceptedHazards, TimeSpan? waitForQuietThreads, Func<int, int, int> fork)
    {
        TimeSpan wait = ForkSafety.WaitOrDefault(waitForQuietThreads);
        long deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            RunningThreadTracker? tracker = ForkSafety.EnsureSafeForFork(acceptedHazards, TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)));
            if (tracker is null)
            {
                return Errors.ThrowIfNegative(fork(-1, -1), "fork");
            }

            PipeEnds verdict = Pipe();
            int pid;
            try
            {
                pid = Errors.ThrowIfNegative(fork(verdict.Read.DangerousGetHandle().ToInt32(), verdict.Write.DangerousGetHandle().ToInt32()), "fork");
            }
            catch
            {
                verdict.Read.Dispose();
                verdict.Write.Dispose();
                throw;
            }

            if (pid == 0)
            {
                // The C side closed both ends in the child before it returned: not again here.
                verdict.Read.SetHandleAsInvalid();
                verdict.Write.SetHandleAsInvalid();
                return 0;
            }

            verdict.Read.Dispose();
            List<ThreadSample> ran;
            try
            {
                ran = tracker.RanSinceLastSample(ThreadSample.SampleOthers() ?? []);
            }
            catch
            {
                Abandon(verdict.Write, pid);
                throw;
            }

            if (ran.Count == 0)
            {
                using (verdict.Write)
                {
                    try
                    {
                        WriteAll(verdict.Write, "Y"u8);
                    }
                    catch (PosixException ex) when (ex.Errno == PosixErrno.EPIPE)
                    {
                        // The child is gone already (a SIGKILL while it waited): it was forked,
                        // and its wait status will say how it ended. The pid is returned so that
                        // it is reaped; thrown away here, it would stay a zombie.
                    }
                }

                return pid;
            }

            Abandon(verdict.Write, pid);
            if (Environment.TickCount64 >= deadline)
            {
                throw new ForkHazardException(ForkHazards.RunningThreads, ForkSafety.Describe(
                    ForkHazards.RunningThreads,
                    ran.ConvertAll(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Name} (tid {t.Tid}, ran while the process forked)"))));
            }
        }
    }

    /// <summary>Tells a child forked at a bad moment to end before it runs anything, and reaps it.</summary>
    private static void Abandon(FileDescriptorHandle verdictWrite, int pid)
    {
        verdictWrite.Dispose(); // end of file: the child ends with _exit
        WaitPid(new Pid(pid));
        ForkSafety.CountAbandonedFork();
    }

    /// <summary>
    /// fork(2), guarded as <see cref="Fork(ForkHazards, TimeSpan?, ChildGroup)"/>; the child closes every
    /// descriptor except 0-2 and <paramref name="keep"/> right after the fork, in C, before any
    /// managed code runs: a listening socket, a pipe's write end or any other descriptor the
    /// process holds is not inherited, whether or not it is close-on-exec.
    /// </summary>
    /// <remarks>
    /// Uses close_range(2) where the kernel has it (Linux 5.9+), else a close loop up to
    /// RLIMIT_NOFILE (macOS). The runtime keeps working in the child (managed code, GC, Console
    /// measured on .NET 10): descriptors it opened in the parent serve threads that fork did
    /// not copy.
    /// </remarks>
    /// <param name="keep">Descriptors the child keeps, at most 256 (0-2 are always kept).</param>
    /// <param name="acceptedHazards">Hazards to ignore. Only for demonstrating a hazard in a sacrificial process.</param>
    /// <param name="waitForQuietThreads">How long to wait for other threads to stop running before refusing.</param>
    /// <param name="group">Where the child runs, as for <see cref="Fork(ForkHazards, TimeSpan?, ChildGroup)"/>.</param>
    /// <returns><see cref="ForkResult.Parent"/> in the parent, <see cref="ForkResult.Child"/> in the child.</returns>
    /// <exception cref="ArgumentException">More than 256 descriptors to keep, or a closed one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="group"/> is not a <see cref="ChildGroup"/> value.</exception>
    /// <exception cref="ForkHazardException">A hazard was found.</exception>
    /// <exception cref="TimeoutException">With <see cref="ChildGroup.NewSession"/>: the child did not lead its session within 30 s (it was stopped).</exception>
    /// <exception cref="PosixException">fork failed (EAGAIN: process limit; ENOMEM).</exception>
    public static ForkResult ForkClosingDescriptors(IReadOnlyList<FileDescriptorHandle> keep, ForkHazards acceptedHazards = ForkHazards.None, TimeSpan? waitForQuietThreads = null,
        ChildGroup group = ChildGroup.Inherit)
    {
        ArgumentNullException.ThrowIfNull(keep);
        int groupFlags = GroupFlags(group);
        if (keep.Count > MaxKeptDescriptors)
        {
            throw new ArgumentException($"At most {MaxKeptDescriptors} descriptors can be kept, not {keep.Count}.", nameof(keep));
        }

        foreach (FileDescriptorHandle handle in keep)
        {
            ArgumentNullException.ThrowIfNull(handle, nameof(keep));
            if (handle.IsClosed || handle.IsInvalid)
            {
                throw new ArgumentException("A descriptor to keep is closed.", nameof(keep));
            }
        }

        var added = new List<FileDescriptorHandle>(keep.Count);
        try
        {
            int[] numbers = new int[keep.Count];
            for (int i = 0; i < keep.Count; i++)
            {
                bool ok = false;
                keep[i].DangerousAddRef(ref ok);
                added.Add(keep[i]);
                numbers[i] = keep[i].DangerousGetHandle().ToInt32();
            }

            int pid = ForkVerified(acceptedHazards, waitForQuietThreads, (verdictRead, verdictWrite) =>
            {
                unsafe
                {
                    fixed (int* signals = ForwardedSignals.Value)
                    fixed (int* kept = numbers)
                    {
                        return Interop.fork_closing_descriptors(signals, ForwardedSignals.Value.Length, kept, numbers.Length, verdictRead, verdictWrite, groupFlags);
                    }
                }
            });
            return Forked(pid, group);
        }
        finally
        {
            added.ForEach(handle => handle.DangerousRelease());
        }
    }

    /// <summary>The most descriptors <see cref="ForkClosingDescriptors"/> keeps (the shim's bound on its stack use).</summary>
    public const int MaxKeptDescriptors = 256;

    /// <summary>
    /// What <see cref="Environment.ExitCode"/> reads in a process after
    /// <see cref="WatchEnvironmentExit"/> until something sets it.
    /// </summary>
    public const int UnsetExitCode = int.MinValue;

    /// <summary>
    /// Makes <see cref="Environment.Exit(int)"/> work in a forked child (Linux): sets
    /// <see cref="Environment.ExitCode"/> to <see cref="UnsetExitCode"/> and starts a native
    /// thread that ends the process with <c>_exit</c> and the latched code once it is set and
    /// the calling thread waits with no time limit. Call it in the child, on its only thread.
    /// </summary>
    /// <remarks>
    /// <para>
    /// In CoreCLR (.NET 10, measured), <c>Environment.Exit(n)</c> latches <c>n</c> and starts the
    /// runtime's shutdown on the calling thread, which waits with no time limit for the
    /// finalizer thread to raise <see cref="AppDomain.ProcessExit"/>. A forked child has no
    /// finalizer thread, so it sleeps for ever, and a ProcessExit handler never runs. The
    /// runtime offers no hook on the exiting thread, and a second managed thread cannot watch
    /// instead: any managed thread started in a forked child (even one that already ended) makes
    /// its next garbage collection abort the child (SIGABRT, measured). So the watch is a native
    /// thread the runtime does not know: every 20 ms it reads the latched code through the
    /// runtime's own ExitCode getter (a native internal call) and the calling thread's system
    /// call from /proc/self/task/TID/syscall; a futex wait with no timeout on two checks in a
    /// row, with a code set, ends the process. Nothing else of the shutdown runs (no finalizers,
    /// no ProcessExit handlers); Console output is written through at once, so nothing is lost.
    /// </para>
    /// <para>
    /// Before the watch starts, the runtime's diagnostics shutdown has already run in the exiting
    /// child; it removes the diagnostics socket path it shares with the parent
    /// (/tmp/dotnet-diagnostic-PARENT-...), so dotnet-trace and dotnet-counters can no longer
    /// find the parent. The one false alarm: a child that sets ExitCode without exiting and then
    /// waits with no time limit on a managed primitive ends with that code. Elsewhere than Linux
    /// nothing is started and this returns false.
    /// </para>
    /// </remarks>
    /// <returns>True if the watch runs; false where it is not supported.</returns>
    /// <exception cref="PosixException">pthread_create failed.</exception>
    public static bool WatchEnvironmentExit()
    {
        if (!OperatingSystem.IsLinux() || !ExitCodeGetterIsNative())
        {
            return false;
        }

        Environment.ExitCode = UnsetExitCode;
        unsafe
        {
            var getter = (delegate* unmanaged<int>)typeof(Environment).GetProperty(nameof(Environment.ExitCode))!.GetMethod!.MethodHandle.GetFunctionPointer();
            Errors.ThrowIfNegative(Interop.start_exit_watch(getter, UnsetExitCode, 20), "pthread_create");
        }

        return true;
    }

    /// <summary>
    /// Is Environment.ExitCode's getter a native internal call (CoreCLR), which a thread the
    /// runtime does not know can call? A managed getter (NativeAOT, a future runtime) cannot be.
    /// </summary>
    private static bool ExitCodeGetterIsNative() =>
        (typeof(Environment).GetProperty(nameof(Environment.ExitCode))!.GetMethod!.GetMethodImplementationFlags()
            & System.Reflection.MethodImplAttributes.InternalCall) != 0;

    /// <summary>
    /// Signals whose runtime handlers only forward them, through a pipe shared with the
    /// parent, to a signal-handling thread that does not exist in a forked child. The child
    /// gets their default actions back. Fault signals (SIGSEGV, ...) keep the runtime's
    /// handlers, which turn faults into exceptions; SIGPIPE stays ignored, so writes report EPIPE.
    /// </summary>
    private static readonly Lazy<int[]> ForwardedSignals = new(() =>
    [
        Signal.SIGHUP.Number, Signal.SIGINT.Number, Signal.SIGQUIT.Number, Signal.SIGTERM.Number,
        Signal.SIGCHLD.Number, Signal.SIGCONT.Number, Signal.SIGTSTP.Number,
        Signal.SIGWINCH.Number, Signal.SIGTTIN.Number, Signal.SIGTTOU.Number,
    ]);
}
