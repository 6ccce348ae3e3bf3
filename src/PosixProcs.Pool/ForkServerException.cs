namespace PosixProcs.Pool;

/// <summary>
/// The pool's fork server (<see cref="StartMethod.ForkServer"/>) failed: it died (the OOM
/// killer, a stray SIGKILL), stopped answering, or failed in a way that is not a system call
/// error. The workers it had forked die with it; the pool starts a new server and runs their
/// tasks again (a server's death costs a task no retry). A worker start that fails this way
/// counts as a failed start: after too many in a row the pool faults with this as the reason.
/// </summary>
public sealed class ForkServerException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened to the server.</param>
    public ForkServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened to the server.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public ForkServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a server that ended.</summary>
    /// <param name="message">What happened to the server.</param>
    /// <param name="status">How the server process ended, if it was reaped.</param>
    public ForkServerException(string message, WaitStatus? status)
        : base(message) => Status = status;

    /// <summary>How the server process ended (e.g. killed by SIGKILL), when it did.</summary>
    public WaitStatus? Status { get; }
}
