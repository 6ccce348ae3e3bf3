namespace PosixProcs;

/// <summary>
/// A <see cref="Stream"/> over one end of a pipe or socket. The descriptor is switched to
/// O_NONBLOCK (its own open file description only: a child's end of a pipe is a different
/// description and stays blocking); synchronous calls wait in poll(), asynchronous ones on
/// the shared reactor thread, so no thread is parked per pending read.
/// </summary>
public sealed class FileDescriptorStream : Stream
{
    private readonly FileDescriptorHandle _fd;
    private readonly FileAccess _access;

    /// <summary>Wraps <paramref name="fd"/>; disposing the stream disposes the handle.</summary>
    /// <param name="fd">An open pipe end or socket.</param>
    /// <param name="access">Read, Write, or ReadWrite (sockets).</param>
    /// <exception cref="PosixException">The descriptor's flags could not be set.</exception>
    public FileDescriptorStream(FileDescriptorHandle fd, FileAccess access)
    {
        ArgumentNullException.ThrowIfNull(fd);
        if (access is not (FileAccess.Read or FileAccess.Write or FileAccess.ReadWrite))
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Unknown access.");
        }

        _fd = fd;
        _access = access;
        _fd.NonBlocking = true;
    }

    /// <summary>
    /// Read EIO as end of stream: a pseudo-terminal's master side fails reads with EIO once
    /// every descriptor of the slave side is closed, where a pipe would return 0.
    /// </summary>
    internal bool EioIsEndOfStream { get; init; }

    /// <summary>The descriptor behind the stream.</summary>
    public FileDescriptorHandle Handle => _fd;

    /// <inheritdoc/>
    public override bool CanRead => !_fd.IsClosed && _access.HasFlag(FileAccess.Read);

    /// <inheritdoc/>
    public override bool CanWrite => !_fd.IsClosed && _access.HasFlag(FileAccess.Write);

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("Pipes have no length.");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException("Pipes have no position.");
        set => throw new NotSupportedException("Pipes have no position.");
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads what is available, waiting for at least one byte; 0 means every writer has closed.</summary>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>Bytes read; 0 at end of stream.</returns>
    /// <exception cref="PosixException">read failed.</exception>
    public override int Read(Span<byte> buffer)
    {
        EnsureCan(FileAccess.Read);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (TryRead(buffer, out int n))
            {
                return n;
            }

            Posix.Poll(_fd, PollEvents.In, Timeout.InfiniteTimeSpan);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(FileAccess.Read);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryRead(buffer.Span, out int n))
            {
                return n;
            }

            await DescriptorReactor.Shared.WhenReady(_fd, PollEvents.In, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Writes every byte, waiting while the pipe is full.</summary>
    /// <param name="buffer">The bytes.</param>
    /// <exception cref="PosixException">write failed: EPIPE when no reader is left.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureCan(FileAccess.Write);
        while (!buffer.IsEmpty)
        {
            if (TryWrite(buffer, out int n))
            {
                buffer = buffer[n..];
                continue;
            }

            Posix.Poll(_fd, PollEvents.Out, Timeout.InfiniteTimeSpan);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureCan(FileAccess.Write);
        while (!buffer.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryWrite(buffer.Span, out int n))
            {
                buffer = buffer[n..];
                continue;
            }

            await DescriptorReactor.Shared.WhenReady(_fd, PollEvents.Out, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Nothing to flush: writes go straight to the kernel.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Pipes cannot seek.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("Pipes have no length.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fd.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool TryRead(Span<byte> buffer, out int read)
    {
        try
        {
            return Posix.TryRead(_fd, buffer, out read);
        }
        catch (PosixException ex) when (EioIsEndOfStream && ex.Errno == PosixErrno.EIO)
        {
            read = 0;
            return true;
        }
    }

    private bool TryWrite(ReadOnlySpan<byte> buffer, out int written) => Posix.TryWrite(_fd, buffer, out written);

    private void EnsureCan(FileAccess access)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        if (!_access.HasFlag(access))
        {
            throw new NotSupportedException($"This stream is not open for {access}.");
        }
    }
}
