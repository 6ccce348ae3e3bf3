namespace PosixProcs.Pool;

/// <summary>A task's own code threw in the worker. The exception lived in another process: its type, message and stack come back as text.</summary>
public sealed class TaskFaultedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fault">What the worker reported.</param>
    public TaskFaultedException(ChildFault fault)
        : base($"{fault?.Type}: {fault?.Message}")
    {
        ArgumentNullException.ThrowIfNull(fault);
        Fault = fault;
    }

    /// <summary>The exception's type name, message and stack, as text.</summary>
    public ChildFault Fault { get; }

    /// <summary>The full type name of the worker's exception.</summary>
    public string RemoteType => Fault.Type;

    /// <summary>The worker's exception as ToString() gave it: message, stack, inner exceptions.</summary>
    public string RemoteStackTrace => Fault.StackTrace;
}
