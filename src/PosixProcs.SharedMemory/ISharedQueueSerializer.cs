using System.Buffers;

namespace PosixProcs.SharedMemory;

/// <summary>
/// Turns queue items into bytes and back, for a <see cref="SharedQueue{T}"/> whose items are
/// not plain unmanaged values. Every process using the queue must use the same format.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public interface ISharedQueueSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    /// <param name="value">The item.</param>
    /// <param name="destination">Where the bytes go.</param>
    void Serialize(T value, IBufferWriter<byte> destination);

    /// <summary>Reads an item back from the bytes <see cref="Serialize"/> wrote.</summary>
    /// <param name="source">The bytes; valid only during the call.</param>
    /// <returns>The item.</returns>
    T Deserialize(ReadOnlySpan<byte> source);
}
