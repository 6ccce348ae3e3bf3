using System.Buffers;

namespace PosixProcs.SharedMemory;

/// <summary>One reusable serialization buffer per thread, so that enqueueing serialized items does not allocate a buffer each time.</summary>
internal static class SerializationBuffer
{
    /// <summary>Buffers that grew beyond this are dropped instead of kept, so one huge item does not pin memory for ever.</summary>
    private const int KeepAtMost = 1024 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>This thread's buffer, empty; or a new one if it is in use (re-entrant serializers).</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        ArrayBufferWriter<byte>? buffer = t_buffer;
        t_buffer = null;
        return buffer ?? new ArrayBufferWriter<byte>(256);
    }

    /// <summary>Gives the buffer back for the next call on this thread.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= KeepAtMost)
        {
            buffer.ResetWrittenCount();
            t_buffer = buffer;
        }
    }
}
