using System.Buffers;

namespace PosixProcs.Runner;

/// <summary>
/// Reads one of a job's pipes until end-of-file or, once the job's process has exited,
/// until the pipe is empty: a background process the job left behind may hold the write
/// end open for ever, and whatever the job itself wrote is in the pipe by the time it exits.
/// Keeps the bytes (group and JSON modes) or passes complete lines on (line-buffer mode).
/// </summary>
internal sealed class OutputCapture
{
    private const int ChunkSize = 16 * 1024;
    private readonly FileDescriptorStream _pipe;
    private readonly OutputDelivery? _lines;
    private readonly bool _isStandardError;
    private MemoryStream? _kept;

    /// <param name="pipe">The job's end of the pipe.</param>
    /// <param name="lines">Where complete lines go in line-buffer mode; <c>null</c> to keep the bytes.</param>
    /// <param name="isStandardError">Whether this is the job's stderr.</param>
    public OutputCapture(FileDescriptorStream pipe, OutputDelivery? lines, bool isStandardError)
    {
        _pipe = pipe;
        _lines = lines;
        _isStandardError = isStandardError;
    }

    /// <summary>Bytes read so far.</summary>
    public long ByteCount { get; private set; }

    /// <summary>The bytes kept (empty in line-buffer mode).</summary>
    public ReadOnlyMemory<byte> Kept => _kept is null ? ReadOnlyMemory<byte>.Empty : _kept.GetBuffer().AsMemory(0, (int)_kept.Length);

    /// <summary>Reads until end-of-file, or until the pipe is empty after <paramref name="exited"/> is cancelled.</summary>
    public async Task PumpAsync(CancellationToken exited)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await _pipe.ReadAsync(chunk, exited).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (exited.IsCancellationRequested)
                {
                    while (Posix.TryRead(_pipe.Handle, chunk, out n) && n > 0)
                    {
                        Take(chunk.AsSpan(0, n));
                    }

                    break;
                }

                if (n == 0)
                {
                    break;
                }

                Take(chunk.AsSpan(0, n));
            }

            FlushPartialLine();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void Take(ReadOnlySpan<byte> bytes)
    {
        ByteCount += bytes.Length;
        _kept ??= new MemoryStream();
        if (_lines is null)
        {
            _kept.Write(bytes);
            return;
        }

        // Line-buffer mode: _kept holds the unfinished line; write up to the last newline.
        int lastNewline = bytes.LastIndexOf((byte)'\n');
        if (lastNewline < 0)
        {
            _kept.Write(bytes);
            return;
        }

        if (_kept.Length > 0)
        {
            _kept.Write(bytes[..(lastNewline + 1)]);
            _lines.WriteLines(_isStandardError, _kept.GetBuffer().AsSpan(0, (int)_kept.Length));
            _kept.SetLength(0);
        }
        else
        {
            _lines.WriteLines(_isStandardError, bytes[..(lastNewline + 1)]);
        }

        _kept.Write(bytes[(lastNewline + 1)..]);
    }

    private void FlushPartialLine()
    {
        if (_lines is not null && _kept is { Length: > 0 })
        {
            _lines.WriteLines(_isStandardError, _kept.GetBuffer().AsSpan(0, (int)_kept.Length));
            _kept.SetLength(0);
        }
    }
}
