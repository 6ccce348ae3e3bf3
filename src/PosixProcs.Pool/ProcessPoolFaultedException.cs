namespace PosixProcs.Pool;

/// <summary>
/// The pool has stopped for good: it could not start workers (after retrying with backoff)
/// or its dispatcher met an error it cannot recover from. Every task that was pending and
/// every later call fails with this exception; <see cref="Exception.InnerException"/> is the
/// reason (e.g. a <see cref="PosixException"/> <c>fork: EAGAIN</c>). Disposing the pool still works.
/// </summary>
public sealed class ProcessPoolFaultedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the pool stopped.</param>
    public ProcessPoolFaultedException(Exception reason)
        : base($"The process pool is faulted and runs no more tasks: {reason?.Message}", reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
    }
}
