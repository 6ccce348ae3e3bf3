namespace PosixProcs.Pool;

/// <summary>Turns task arguments and results into bytes and back, to cross into a worker process.</summary>
public interface IPoolSerializer
{
    /// <summary>Serializes a value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>Its bytes.</returns>
    byte[] Serialize<T>(T value);

    /// <summary>Deserializes a value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="bytes">Bytes from <see cref="Serialize{T}"/>.</param>
    /// <returns>The value.</returns>
    T Deserialize<T>(ReadOnlySpan<byte> bytes);
}
