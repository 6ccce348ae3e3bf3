namespace PosixProcs.Pool;

/// <summary>
/// The worker running a task died (SIGKILL, SIGSEGV, Environment.FailFast, _exit...). Only
/// that task fails; the worker is replaced and the pool keeps serving.
/// </summary>
public sealed class WorkerCrashedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pid">The worker that died last.</param>
    /// <param name="status">How it ended.</param>
    /// <param name="attempts">How many times the task was run (retries included).</param>
    public WorkerCrashedException(Pid pid, WaitStatus status, int attempts)
        : base($"worker {pid} running this task died: {status}" + (attempts > 1 ? $"; the task was tried {attempts} times (a poison task)" : string.Empty))
    {
        ArgumentNullException.ThrowIfNull(status);
        Pid = pid;
        Status = status;
        Attempts = attempts;
    }

    /// <summary>The worker that died last.</summary>
    public Pid Pid { get; }

    /// <summary>How it ended: the exit code or the signal.</summary>
    public WaitStatus Status { get; }

    /// <summary>How many times the task was run before the pool gave up on it.</summary>
    public int Attempts { get; }
}
