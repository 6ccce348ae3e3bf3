namespace PosixProcs.Pool;

/// <summary>
/// A pool worker could not be started for a reason the original error hides: a type
/// initializer or an assembly load that failed because this process has run out of file
/// descriptors. <see cref="Exception.InnerException"/> is the <see cref="PosixException"/>
/// that says so (<c>EMFILE</c>); the message also names the error that was seen first.
/// </summary>
public sealed class WorkerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="reason">The underlying system error.</param>
    public WorkerStartException(string message, PosixException reason)
        : base(message, reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Reason = reason;
    }

    /// <summary>The underlying system error, e.g. <c>pipe2: EMFILE</c>.</summary>
    public PosixException Reason { get; }
}
