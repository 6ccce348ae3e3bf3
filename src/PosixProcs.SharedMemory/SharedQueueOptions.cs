using System.Numerics;

namespace PosixProcs.SharedMemory;

/// <summary>How to create a <see cref="SharedQueue{T}"/>. The defaults suit small messages.</summary>
public sealed class SharedQueueOptions
{
    private int _capacity = 64 * 1024;
    private SharedMemoryOptions _memory = new();

    /// <summary>
    /// Bytes for messages in the underlying ring (headers and alignment included): a power of
    /// two from 64 to 2^30. One message may take at most an eighth of it. Default: 64 KiB.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a power of two in range.</exception>
    public int Capacity
    {
        get => _capacity;
        set
        {
            if (value is < RingBufferLayout.MinimumCapacity or > RingBufferLayout.MaximumCapacity || !BitOperations.IsPow2(value))
            {
                throw new ArgumentException($"A queue's capacity must be a power of two from {RingBufferLayout.MinimumCapacity} to {RingBufferLayout.MaximumCapacity}; got {value}.", nameof(value));
            }

            _capacity = value;
        }
    }

    /// <summary>The queue's memory: backing (anonymous for fork, descriptor to hand to a spawned program) and pre-faulting. Default: anonymous.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public SharedMemoryOptions Memory
    {
        get => _memory;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _memory = value;
        }
    }
}
