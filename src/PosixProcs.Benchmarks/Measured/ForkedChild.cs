using System.Runtime.CompilerServices;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A child forked with <see cref="Posix.Fork"/> that runs a body and leaves through
/// <see cref="Posix.Exit"/>, and that can be waited for WITH a timeout (a child forked
/// from .NET can hang, NOTES.md). The timeout works without pidfd, on Linux and macOS: the
/// child holds the write end of a pipe until it exits, so its exit is a hang-up on the
/// read end, which <see cref="Posix.Poll"/> can wait for with a deadline.
/// </summary>
internal sealed class ForkedChild : IDisposable
{
    /// <summary>The exit code of a child whose body threw.</summary>
    public const int BodyFailed = 70;

    private static readonly HashSet<RuntimeMethodHandle> Precompiled = [];
    private static readonly System.Reflection.MethodInfo ExitMethod = typeof(Posix).GetMethod(nameof(Posix.Exit))!;
    private readonly FileDescriptorHandle exitWatch;
    private bool reaped;

    private ForkedChild(Pid pid, FileDescriptorHandle exitWatch)
    {
        Pid = pid;
        this.exitWatch = exitWatch;
    }

    /// <summary>The child.</summary>
    public Pid Pid { get; }

    /// <summary>
    /// Forks; the child runs <paramref name="body"/> and exits with its result (or
    /// <see cref="BodyFailed"/> if it throws). Never returns in the child.
    /// </summary>
    /// <param name="body">The child's work; it must close the descriptors it does not use.</param>
    /// <returns>The child, in the parent.</returns>
    public static ForkedChild Start(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Precompile(body);
        PipeEnds watch = Posix.Pipe();
        ForkResult result;
        try
        {
            result = ForkWhenQuiet();
        }
        catch
        {
            watch.Dispose();
            throw;
        }

        if (result is ForkResult.Parent parent)
        {
            watch.Write.Dispose();
            return new ForkedChild(parent.ChildPid, watch.Read);
        }

        int code;
        try
        {
            code = body();
        }
#pragma warning disable CA1031 // In the child, any exception must become an exit code: it must never return into the parent's code.
        catch (Exception)
#pragma warning restore CA1031
        {
            code = BodyFailed;
        }

        Posix.Exit(code);
        throw new InvalidOperationException("unreachable: _exit returned");
    }

    /// <summary>
    /// On a loaded machine the runtime's native helper threads (woken by SIGCHLD) stay
    /// runnable for a while waiting for a CPU, and the guard cannot tell that from managed
    /// code running: the benchmarks let it wait up to 1 s for them. The wait counts in the figure.
    /// </summary>
    private static readonly TimeSpan QuietThreadsWait = TimeSpan.FromSeconds(1);

    private static ForkResult ForkWhenQuiet() => Posix.Fork(waitForQuietThreads: QuietThreadsWait);

    /// <summary>
    /// Compiles the child's code (the body and <see cref="Posix.Exit"/>) in the parent, once:
    /// otherwise every child would JIT it again, since the parent never runs it. A pool
    /// would do the same once at start-up; the benchmarks measure forks, not the JIT.
    /// </summary>
    private static void Precompile(Func<int> body)
    {
        if (Precompiled.Add(body.Method.MethodHandle))
        {
            RuntimeHelpers.PrepareMethod(body.Method.MethodHandle);
        }

        if (Precompiled.Add(ExitMethod.MethodHandle))
        {
            RuntimeHelpers.PrepareMethod(ExitMethod.MethodHandle);
        }
    }

    /// <summary>Waits for the child to exit and reaps it; kills it (SIGKILL) if it takes longer than <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long it may take.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="BenchmarkCheckException">It did not exit in time (it has been killed and reaped).</exception>
    public WaitStatus Wait(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(reaped, this);
        if (Posix.Poll(exitWatch, PollEvents.In, timeout) == PollEvents.None)
        {
            Posix.Kill(Pid, Signal.SIGKILL);
            Reap();
            throw new BenchmarkCheckException($"child {Pid} did not exit within {timeout.TotalSeconds:0.#} s; killed.");
        }

        return Reap();
    }

    /// <summary>Waits like <see cref="Wait"/> and checks the exit code.</summary>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="expectedCode">The exit code it must have.</param>
    /// <exception cref="BenchmarkCheckException">It hung, was killed by a signal, or exited with another code.</exception>
    public void WaitForCode(TimeSpan timeout, int expectedCode)
    {
        WaitStatus status = Wait(timeout);
        if (status is not WaitStatus.Exited exited || exited.Code != expectedCode)
        {
            throw new BenchmarkCheckException($"child {Pid} {status}, expected exit code {expectedCode}.");
        }
    }

    /// <summary>If the child was never waited for, kills and reaps it: no zombie, no orphan holding pipes open.</summary>
    public void Dispose()
    {
        if (!reaped)
        {
            Posix.Kill(Pid, Signal.SIGKILL);
            Reap();
        }

        exitWatch.Dispose();
    }

    private WaitStatus Reap()
    {
        reaped = true;
        return Posix.WaitPid(Pid);
    }
}
