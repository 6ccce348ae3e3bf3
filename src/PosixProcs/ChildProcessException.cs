namespace PosixProcs;

/// <summary>A forked child's delegate threw. The original exception lived in another process: its type, message and stack come back as text.</summary>
public sealed class ChildProcessException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pid">The child.</param>
    /// <param name="status">How it ended.</param>
    /// <param name="fault">What it reported.</param>
    public ChildProcessException(Pid pid, WaitStatus status, ChildFault fault)
        : base($"child {pid} failed with {fault?.Type}: {fault?.Message} ({status})")
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(fault);
        Pid = pid;
        Status = status;
        Fault = fault;
    }

    /// <summary>The child.</summary>
    public Pid Pid { get; }

    /// <summary>How the child ended (exit code <see cref="ChildProcess.FaultExitCode"/> when it reported a fault).</summary>
    public WaitStatus Status { get; }

    /// <summary>The child's exception, as text.</summary>
    public ChildFault Fault { get; }

    /// <summary>The type name of the child's exception.</summary>
    public string RemoteType => Fault.Type;

    /// <summary>The child's exception as ToString() gave it there: message, stack, inner exceptions.</summary>
    public string RemoteStackTrace => Fault.StackTrace;
}
