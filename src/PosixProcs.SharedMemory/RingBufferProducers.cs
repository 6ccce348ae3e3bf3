namespace PosixProcs.SharedMemory;

/// <summary>How many producers may write to a <see cref="RingBuffer"/> at once. There is always one consumer.</summary>
public enum RingBufferProducers
{
    /// <summary>One producer (one thread in one process at a time): claims with a plain ordered store, no atomic instruction.</summary>
    One = 1,

    /// <summary>Any number of producers, in any processes: claims by compare-and-swap on the tail.</summary>
    Many = 2,
}
