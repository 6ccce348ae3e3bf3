namespace PosixProcs.SharedMemory;

/// <summary>
/// Where everything of a <see cref="RingBuffer"/> lives in shared memory: the one description
/// of the layout that every process attaching the ring must agree on.
/// </summary>
/// <remarks>
/// <code>
///  offset
///     0 +------------------------------------------------------------------+
///       | magic (8) | layout version (4) | capacity (4) | producers (4) |    |  descriptor: written once
///   128 +------------------------------------------------------------------+
///       | tail position (8): producers claim from here                     |  written by producers
///   256 +------------------------------------------------------------------+
///       | head position (8): the consumer reads from here                  |  written by the consumer
///   384 +------------------------------------------------------------------+
///       | consumer waiting (4) | data signal (4) |                         |  written only by sleepers
///       | producers waiting (4) | space signal (4) |                       |  and those who wake them
///   512 +------------------------------------------------------------------+
///       | records: capacity bytes, a power of two (see RingRecord)         |
///       +------------------------------------------------------------------+
/// </code>
/// Head and tail are 128 bytes apart, on cache lines of their own: 128 covers the x86
/// adjacent-line prefetcher and Apple silicon's 128-byte lines, so the producers' and the
/// consumer's writes never fight over a line. Positions are byte counts since creation
/// that only grow (64 bits: they never wrap); the index in the records is
/// <c>position &amp; (capacity - 1)</c>. The signals are futex words: sequence numbers that
/// whoever wakes a sleeper increments; sleepers first say so in the "waiting" words, so
/// nobody makes a system call while the other side is awake.
/// </remarks>
internal static class RingBufferLayout
{
    /// <summary>"PPRING\0\x01" read as a little-endian 64-bit number: marks memory that holds a ring.</summary>
    public const ulong Magic = 0x0100_474E_4952_5050;

    /// <summary>Incremented whenever this layout changes; a ring of another version is refused on attach.</summary>
    public const int Version = 1;

    /// <summary>The distance between fields written by different parties.</summary>
    public const int CacheLineSeparation = 128;

    public const int MagicOffset = 0;
    public const int VersionOffset = 8;
    public const int CapacityOffset = 12;
    public const int ProducersOffset = 16;
    public const int TailOffset = CacheLineSeparation;
    public const int HeadOffset = 2 * CacheLineSeparation;
    public const int ConsumerWaitingOffset = 3 * CacheLineSeparation;
    public const int DataSignalOffset = ConsumerWaitingOffset + 4;
    public const int ProducersWaitingOffset = ConsumerWaitingOffset + 8;
    public const int SpaceSignalOffset = ConsumerWaitingOffset + 12;

    /// <summary>Bytes before the records.</summary>
    public const int HeaderLength = 4 * CacheLineSeparation;

    /// <summary>The smallest capacity accepted.</summary>
    public const int MinimumCapacity = 64;

    /// <summary>The largest capacity accepted: indexes are 32-bit.</summary>
    public const int MaximumCapacity = 1 << 30;
}
