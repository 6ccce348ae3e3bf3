namespace PosixProcs.SharedMemory;

/// <summary>The header in front of every record in a <see cref="RingBuffer"/>, and its rules.</summary>
/// <remarks>
/// <code>
///   0                   4                   8
///   +-------------------+-------------------+---------------------------+---------+
///   | length (int32)    | type (int32)      | payload (length - 8)      | to 8    |
///   +-------------------+-------------------+---------------------------+---------+
/// </code>
/// <list type="bullet">
/// <item><c>length</c> counts the header and the payload, not the alignment padding after it.
/// 0: nothing written yet (the consumer zeroes what it has read). Negative: claimed by a
/// producer that is still writing (the consumer stops there). Positive: published.</item>
/// <item><c>type</c> is the caller's message type, 1 or more; <see cref="PaddingType"/> marks
/// the filler a producer puts before the end of the buffer when a record does not fit
/// there: records are never split, the next one starts at index 0.</item>
/// <item>Records start at multiples of <see cref="Alignment"/>, so the length word is
/// naturally aligned for atomic access and a scan can step from header to header.</item>
/// </list>
/// </remarks>
internal static class RingRecord
{
    public const int LengthOffset = 0;
    public const int TypeOffset = 4;

    /// <summary>Bytes of header before the payload.</summary>
    public const int HeaderLength = 8;

    /// <summary>Every record starts at a multiple of this many bytes.</summary>
    public const int Alignment = 8;

    /// <summary>The type of a filler record the consumer skips.</summary>
    public const int PaddingType = -1;

    /// <summary>Rounds <paramref name="length"/> up to a multiple of <see cref="Alignment"/>.</summary>
    public static int Align(int length) => (length + (Alignment - 1)) & ~(Alignment - 1);
}
