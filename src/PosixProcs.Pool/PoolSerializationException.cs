namespace PosixProcs.Pool;

/// <summary>
/// A task's argument or result cannot cross between the pool and a worker with the pool's
/// serializer: the message names the type, what the serializer said, and the fix (a type the
/// serializer handles, or <see cref="ProcessPoolOptions.Serializer"/>).
/// </summary>
public sealed class PoolSerializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="type">The type that could not cross.</param>
    /// <param name="innerException">The serializer's error.</param>
    public PoolSerializationException(Type type, Exception innerException)
        : base(
            $"{type?.FullName} cannot cross to or from a pool worker: System.Text.Json could not handle it ({innerException?.Message}). " +
            "Use unmanaged values, arrays of them, or plain records/classes with public properties and a usable constructor; " +
            $"or set {nameof(ProcessPoolOptions)}.{nameof(ProcessPoolOptions.Serializer)} to an {nameof(IPoolSerializer)} that handles {type?.Name}.",
            innerException)
    {
        ArgumentNullException.ThrowIfNull(type);
        ValueType = type;
    }

    /// <summary>The type that could not cross.</summary>
    public Type ValueType { get; }
}
