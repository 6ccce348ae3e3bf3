using System.Buffers;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// Messages over the rings. A message is one record, or, when larger than a record may be,
/// several: <see cref="Fragment"/> records then a <see cref="Complete"/> one. Each byte is
/// copied into the ring once and out once. Every record of a message starts with the same
/// prefix (on the shared response ring: the worker's slot, so fragments of different workers
/// can be told apart).
/// </summary>
internal static class MessageFrames
{
    public const int Complete = 1;
    public const int Fragment = 2;
    public const int Stop = 3;
    public const int Wake = 4;
    public const int Ready = 5;

    /// <summary>
    /// Writes header + payload as one or more records, from byte <paramref name="sent"/> on.
    /// False if the time ran out first: <paramref name="sent"/> then says how far it got, and
    /// the caller calls again with it to resume; starting over would repeat fragments.
    /// </summary>
    public static bool Write(RingBuffer ring, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, ref int sent, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        int chunk = ring.MaxPayloadLength - prefix.Length;
        int total = header.Length + payload.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(prefix.Length + Math.Min(total, chunk));
        try
        {
            do
            {
                int length = Math.Min(chunk, total - sent);
                Span<byte> record = buffer.AsSpan(0, prefix.Length + length);
                prefix.CopyTo(record);
                CopyRange(header, payload, sent, record[prefix.Length..]);
                int type = sent + length == total ? Complete : Fragment;
                if (!ring.TryWrite(type, record) && !ring.Write(type, record, timeout, cancellationToken))
                {
                    return false;
                }

                sent += length;
            }
            while (sent < total);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies bytes [offset, offset + destination.Length) of header ++ payload.</summary>
    private static void CopyRange(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, int offset, Span<byte> destination)
    {
        if (offset < header.Length)
        {
            int fromHeader = Math.Min(header.Length - offset, destination.Length);
            header.Slice(offset, fromHeader).CopyTo(destination);
            destination = destination[fromHeader..];
            offset = 0;
        }
        else
        {
            offset -= header.Length;
        }

        payload.Slice(offset, destination.Length).CopyTo(destination);
    }
}

/// <summary>Collects the records of one message from one producer.</summary>
internal sealed class MessageAssembler
{
    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>Adds a record's body; true when it completed a message (then <see cref="Message"/> holds it until the next Add).</summary>
    public bool Add(int type, ReadOnlySpan<byte> body)
    {
        if (_complete)
        {
            _length = 0;
            _complete = false;
        }

        if (_length + body.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + body.Length));
        }

        body.CopyTo(_buffer.AsSpan(_length));
        _length += body.Length;
        _complete = type == MessageFrames.Complete;
        return _complete;
    }

    private bool _complete;

    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);

    /// <summary>Drops a half-received message (its sender died).</summary>
    public void Reset()
    {
        _length = 0;
        _complete = false;
    }
}
