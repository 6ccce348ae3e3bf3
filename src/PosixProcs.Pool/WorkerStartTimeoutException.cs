namespace PosixProcs.Pool;

/// <summary>
/// Why the pool killed a worker that did not finish starting in time. The pool handles it
/// itself (the worker is replaced, its tasks go elsewhere); it is never a task's outcome.
/// </summary>
internal sealed class WorkerStartTimeoutException(Pid pid, TimeSpan limit)
    : TimeoutException($"worker {pid} did not start within {limit.TotalSeconds:0.###} s; it was killed and replaced");
