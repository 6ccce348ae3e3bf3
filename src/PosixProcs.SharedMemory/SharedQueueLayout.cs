namespace PosixProcs.SharedMemory;

/// <summary>
/// Where a <see cref="SharedQueue{T}"/> keeps its state in shared memory.
/// </summary>
/// <remarks>
/// <code>
///  offset
///     0 +------------------------------------------------------------------+
///       | magic (8) | layout version (4) | item size (4) | closed (4) |      |  item size: sizeof(T) raw, 0 serialized
///   128 +------------------------------------------------------------------+
///       | unfinished items (4, futex word) | joiners waiting (4) |         |  JoinableQueue accounting
///   256 +------------------------------------------------------------------+
///       | the multi-producer ring (RingBufferLayout)                       |
///       +------------------------------------------------------------------+
/// </code>
/// </remarks>
internal static class SharedQueueLayout
{
    /// <summary>"PPQUEUE\x01" read as a little-endian 64-bit number.</summary>
    public const ulong Magic = 0x0145_5545_5551_5050;

    public const int Version = 1;
    public const int MagicOffset = 0;
    public const int VersionOffset = 8;
    public const int ItemSizeOffset = 12;
    public const int ClosedOffset = 16;
    public const int UnfinishedOffset = RingBufferLayout.CacheLineSeparation;
    public const int JoinersOffset = UnfinishedOffset + 4;
    public const int RingOffset = 2 * RingBufferLayout.CacheLineSeparation;

    /// <summary>The record type of a queue item in the ring.</summary>
    public const int ItemType = 1;
}
