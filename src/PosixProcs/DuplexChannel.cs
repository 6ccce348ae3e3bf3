using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PosixProcs;

/// <summary>
/// A bidirectional, message-framed channel between two processes over a Unix socket pair,
/// like Python's <c>multiprocessing.Pipe()</c>. Each message is a 4-byte little-endian
/// length and the bytes. End of stream and the peer's death are distinct outcomes
/// (<see cref="ChannelClosedException.Reason"/>), never a hang.
/// </summary>
/// <remarks>
/// One sender and one receiver at a time per end (sends and receives are each serialized
/// by a lock). Received bytes are buffered, so a small message costs one read(2).
/// </remarks>
public sealed class DuplexChannel : IDisposable
{
    /// <summary>The largest message accepted by default: 64 MiB.</summary>
    public const int DefaultMaxMessageBytes = 64 << 20;

    private const int HeaderBytes = 4;
    private const int BufferBytes = 64 * 1024;
    private readonly FileDescriptorStream _stream;
    private readonly Func<bool>? _peerDied;
    private readonly Lock _sendGate = new();
    private readonly SemaphoreSlim _receiveGate = new(1, 1);
    private readonly byte[] _sendBuffer = new byte[BufferBytes];
    private byte[] _buffer = new byte[BufferBytes];
    private int _start;
    private int _end;
    private bool _endOfStream;

    internal DuplexChannel(FileDescriptorHandle socket, Func<bool>? peerDied)
    {
        _stream = new FileDescriptorStream(socket, FileAccess.ReadWrite);
        _peerDied = peerDied;
    }

    /// <summary>The socket behind this end.</summary>
    internal FileDescriptorHandle Handle => _stream.Handle;

    /// <summary>The largest message this end sends or accepts.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>Creates two connected ends in this process (give one to a child, or use both in tests).</summary>
    /// <returns>The two ends.</returns>
    /// <exception cref="PosixException">socketpair failed.</exception>
    public static (DuplexChannel First, DuplexChannel Second) CreatePair()
    {
        PipeEnds pair = Posix.SocketPair();
        return (new DuplexChannel(pair.Read, null), new DuplexChannel(pair.Write, null));
    }

    /// <summary>
    /// Opens a channel on a connected stream socket this process holds, e.g. one end of a
    /// socket pair passed to a spawned program at a chosen descriptor number.
    /// </summary>
    /// <param name="socket">The socket; the channel owns it from now on.</param>
    /// <returns>The channel.</returns>
    public static DuplexChannel Open(FileDescriptorHandle socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return new DuplexChannel(socket, null);
    }

    /// <summary>Sends one message.</summary>
    /// <param name="message">The bytes.</param>
    /// <exception cref="ArgumentException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    /// <exception cref="PosixException">The write failed: EPIPE when the peer has closed.</exception>
    public void Send(ReadOnlySpan<byte> message)
    {
        CheckSize(message.Length, nameof(message));
        lock (_sendGate)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_sendBuffer, message.Length);
            if (message.Length <= BufferBytes - HeaderBytes)
            {
                message.CopyTo(_sendBuffer.AsSpan(HeaderBytes));
                _stream.Write(_sendBuffer.AsSpan(0, HeaderBytes + message.Length));
            }
            else
            {
                _stream.Write(_sendBuffer.AsSpan(0, HeaderBytes));
                _stream.Write(message);
            }
        }
    }

    /// <summary>Sends one message without blocking a thread while the socket is full.</summary>
    /// <param name="message">The bytes.</param>
    /// <param name="cancellationToken">Stops the send (the channel is then unusable: a message may be half sent).</param>
    /// <returns>A task that completes when the message is written.</returns>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        CheckSize(message.Length, nameof(message));
        byte[] frame = new byte[HeaderBytes + message.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, message.Length);
        message.CopyTo(frame.AsMemory(HeaderBytes));
        await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a value as JSON, with source-generated metadata.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">From a <c>JsonSerializerContext</c>.</param>
    public void Send<T>(T value, JsonTypeInfo<T> typeInfo) => Send(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    /// <summary>Receives one message, waiting as long as it takes.</summary>
    /// <returns>The message.</returns>
    /// <exception cref="ChannelClosedException">The peer closed, died, or died mid-message.</exception>
    public byte[] Receive()
    {
        _receiveGate.Wait();
        try
        {
            while (true)
            {
                if (TryTakeMessage(out byte[]? message))
                {
                    return message;
                }

                Fill(Timeout.InfiniteTimeSpan);
            }
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Receives one message if one arrives within <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="message">The message, when the result is true.</param>
    /// <returns>False if no whole message arrived in time.</returns>
    /// <exception cref="ChannelClosedException">The peer closed, died, or died mid-message.</exception>
    public bool TryReceive(TimeSpan timeout, [NotNullWhen(true)] out byte[]? message)
    {
        long deadline = Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        if (!_receiveGate.Wait(timeout))
        {
            message = null;
            return false;
        }

        try
        {
            while (true)
            {
                if (TryTakeMessage(out message))
                {
                    return true;
                }

                // Always look at the socket at least once, so a zero timeout is a real poll.
                long left = Math.Max(0, deadline - Environment.TickCount64);
                if (!Fill(TimeSpan.FromMilliseconds(left)))
                {
                    message = null;
                    return false;
                }
            }
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Receives one message without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ChannelClosedException">The peer closed, died, or died mid-message.</exception>
    public async ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        await _receiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                if (TryTakeMessage(out byte[]? message))
                {
                    return message;
                }

                Compact();
                int n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                Received(n);
            }
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Receives a JSON value, with source-generated metadata.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="typeInfo">From a <c>JsonSerializerContext</c>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ChannelClosedException">The peer closed or died.</exception>
    /// <exception cref="JsonException">The message was not a <typeparamref name="T"/>.</exception>
    public T Receive<T>(JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(Receive(), typeInfo)!;

    /// <summary>Receives a JSON value without blocking a thread.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="typeInfo">From a <c>JsonSerializerContext</c>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The value.</returns>
    public async ValueTask<T> ReceiveAsync<T>(JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        JsonSerializer.Deserialize(await ReceiveAsync(cancellationToken).ConfigureAwait(false), typeInfo)!;

    /// <summary>Closes this end; the peer then sees end of stream.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _receiveGate.Dispose();
    }

    private void CheckSize(int length, string paramName)
    {
        if (length > MaxMessageBytes)
        {
            throw new ArgumentException($"The message has {length} bytes; this channel accepts at most {MaxMessageBytes}.", paramName);
        }
    }

    /// <summary>Reads what is available into the buffer; false if nothing came within the timeout.</summary>
    private bool Fill(TimeSpan timeout)
    {
        Compact();
        if (Posix.Poll(_stream.Handle, PollEvents.In, timeout) == PollEvents.None)
        {
            return false;
        }

        if (Posix.TryRead(_stream.Handle, _buffer.AsSpan(_end), out int n))
        {
            Received(n);
        }

        return true;
    }

    private void Received(int n)
    {
        if (n == 0)
        {
            _endOfStream = true;
        }

        _end += n;
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private bool TryTakeMessage([NotNullWhen(true)] out byte[]? message)
    {
        message = null;
        int available = _end - _start;
        if (available >= HeaderBytes)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            if (length < 0 || length > MaxMessageBytes)
            {
                throw new InvalidDataException($"A message header announces {length} bytes; this channel accepts 0..{MaxMessageBytes}.");
            }

            if (available >= HeaderBytes + length)
            {
                message = _buffer.AsSpan(_start + HeaderBytes, length).ToArray();
                _start += HeaderBytes + length;
                return true;
            }

            if (_buffer.Length < HeaderBytes + length)
            {
                Compact();
                Array.Resize(ref _buffer, HeaderBytes + length);
            }
        }

        if (_endOfStream)
        {
            throw new ChannelClosedException(available > 0
                ? ChannelCloseReason.Truncated
                : _peerDied?.Invoke() == true ? ChannelCloseReason.PeerDied : ChannelCloseReason.EndOfStream);
        }

        return false;
    }
}
