using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// The children a lab started. Every wait has a deadline: a child still running then is
/// killed with SIGKILL (a hung forked child ignores SIGTERM) and reaped. Disposing kills
/// and reaps whatever is left, so no lab leaves a zombie or a stray process behind.
/// </summary>
public sealed class Children : IDisposable
{
    /// <summary>The exit code of a forked child whose body threw.</summary>
    public const int ChildFailedCode = 70;

    private readonly HashSet<Pid> running = [];

    /// <summary>
    /// Forks; the child runs <paramref name="body"/> and leaves through _exit with its return
    /// value, never returning to the caller. An exception in the child is written to its
    /// stderr and becomes exit code <see cref="ChildFailedCode"/>.
    /// </summary>
    /// <param name="body">The child's work; returns its exit code.</param>
    /// <param name="accepted">Fork hazards to accept (only for the W^X demonstration).</param>
    /// <returns>The child's pid.</returns>
    /// <exception cref="ForkHazardException">Fork is not safe in this process.</exception>
    public Pid Fork(Func<int> body, ForkHazards accepted = ForkHazards.None)
    {
        ArgumentNullException.ThrowIfNull(body);

        // Compile the child's body here, once: otherwise every child JITs it again after fork,
        // which costs milliseconds and copies code-heap pages.
        System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(body.Method.MethodHandle);
        switch (ForkWhenQuiet(accepted))
        {
            case ForkResult.Parent parent:
                running.Add(parent.ChildPid);
                return parent.ChildPid;
            default:
                RunChild(body);
                throw new UnreachableException("_exit returned");
        }
    }

    /// <summary>
    /// Forks a child that nobody here will wait for: for making orphans on purpose. Like
    /// <see cref="Fork(Func{int}, ForkHazards)"/> otherwise.
    /// </summary>
    /// <param name="body">The child's work; returns its exit code.</param>
    /// <returns>The child's pid.</returns>
    public static Pid ForkUntracked(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (ForkWhenQuiet(ForkHazards.None) is ForkResult.Parent parent)
        {
            return parent.ChildPid;
        }

        RunChild(body);
        throw new UnreachableException("_exit returned");
    }

    /// <summary>Forks a child that runs <paramref name="body"/>, timing the fork call itself.</summary>
    /// <param name="body">The child's work.</param>
    /// <param name="forkTime">How long fork took to return in the parent.</param>
    /// <returns>The child's pid.</returns>
    public Pid Fork(Func<int> body, out TimeSpan forkTime)
    {
        long start = Stopwatch.GetTimestamp();
        Pid pid = Fork(body);
        forkTime = Stopwatch.GetElapsedTime(start);
        return pid;
    }

    /// <summary>Adopts a process this lab must reap (a spawned child, or an orphan re-parented to us).</summary>
    /// <param name="pid">The process.</param>
    public void Adopt(Pid pid) => running.Add(pid);

    /// <summary>Forgets a child the caller reaped itself (with its own WaitPid).</summary>
    /// <param name="pid">The child.</param>
    public void Reaped(Pid pid) => running.Remove(pid);

    /// <summary>Waits for a child at most <paramref name="timeout"/>; kills it with SIGKILL then, and reaps it.</summary>
    /// <param name="pid">The child.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="timedOut">Whether it had to be killed.</param>
    /// <returns>How it ended.</returns>
    public WaitStatus Wait(Pid pid, TimeSpan timeout, out bool timedOut)
    {
        WaitStatus? status = WaitAtMost(pid, timeout);
        timedOut = status is null;
        if (status is null)
        {
            Posix.Kill(pid, Signal.SIGKILL);
            status = WaitAtMost(pid, TimeSpan.FromSeconds(10))
                ?? throw new TimeoutException($"child {pid} did not end within 10 s of SIGKILL");
        }

        running.Remove(pid);
        return status;
    }

    /// <summary>Waits for a child at most <paramref name="timeout"/>; a child that takes longer is a failure of the lab.</summary>
    /// <param name="pid">The child.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="TimeoutException">It did not end in time (it has been killed and reaped).</exception>
    public WaitStatus Wait(Pid pid, TimeSpan timeout)
    {
        WaitStatus status = Wait(pid, timeout, out bool timedOut);
        return timedOut ? throw new TimeoutException($"child {pid} did not end within {timeout.TotalSeconds:0.#} s; killed with SIGKILL") : status;
    }

    /// <summary>
    /// Waits until the child changes state or the time runs out, without killing it.
    /// Uses a pidfd and poll where there are pidfds, else WNOHANG polling.
    /// </summary>
    /// <param name="pid">The child.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>The status, or null if it is still running.</returns>
    public static WaitStatus? WaitAtMost(Pid pid, TimeSpan timeout)
    {
        WaitStatus status = Posix.WaitPid(pid, WaitOptions.NoHang);
        if (status is not WaitStatus.StillRunning)
        {
            return status;
        }

        if (PidfdsWork)
        {
            try
            {
                using FileDescriptorHandle pidfd = Posix.PidfdOpen(pid);
                if (Posix.Poll(pidfd, PollEvents.In, timeout) == PollEvents.None)
                {
                    return null;
                }

                status = Posix.WaitPid(pid, WaitOptions.NoHang);
                return status is WaitStatus.StillRunning ? null : status;
            }
            catch (PosixException ex) when (ex.Errno is PosixErrno.ENOSYS or PosixErrno.ENOTSUP)
            {
                PidfdsWork = false; // macOS or an old kernel: fall back to polling below
            }
        }

        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            status = Posix.WaitPid(pid, WaitOptions.NoHang);
            if (status is not WaitStatus.StillRunning)
            {
                return status;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return null;
            }

            Thread.Sleep(1);
        }
    }

    private static bool PidfdsWork { get; set; } = OperatingSystem.IsLinux();

    /// <summary>Kills (SIGKILL) and reaps every child not yet waited for.</summary>
    public void Dispose()
    {
        foreach (Pid pid in running.ToList())
        {
            if (Posix.WaitPid(pid, WaitOptions.NoHang) is WaitStatus.StillRunning)
            {
                Posix.Kill(pid, Signal.SIGKILL);
                _ = WaitAtMost(pid, TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"child {pid} did not end within 10 s of SIGKILL");
            }

            running.Remove(pid);
        }
    }

    /// <summary>
    /// Each child's exit sends SIGCHLD, which wakes the runtime's signal-handling thread; on a
    /// busy machine it can stay runnable for a while, and the guard rightly will not fork
    /// then. Labs fork in loops, so they let the guard wait up to 2 s for it to sleep again;
    /// any other hazard, or a thread that keeps running, is thrown.
    /// </summary>
    private static readonly TimeSpan QuietThreadsWait = TimeSpan.FromSeconds(2);

    private static ForkResult ForkWhenQuiet(ForkHazards accepted) => Posix.Fork(accepted, QuietThreadsWait);

    private static void RunChild(Func<int> body)
    {
        int code;
        try
        {
            code = body();
        }
#pragma warning disable CA1031 // The child must leave through _exit whatever happens: an exception must not unwind into the parent's code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"child {Pid.Current}: {ex}");
            code = ChildFailedCode;
        }

        Posix.Exit(code);
    }
}
