namespace PosixProcs.Runner;

/// <summary>
/// Writes jobs' output to the runner's stdout and stderr under one lock, so two jobs never
/// interleave inside a piece: a whole job (group, JSON) or a whole line (line-buffer). With
/// keep-order, finished jobs wait here until every job before them has been written.
/// </summary>
internal sealed class OutputDelivery
{
    private readonly Lock _gate = new();
    private readonly Stream _stdout;
    private readonly Stream _stderr;
    private readonly OutputMode _mode;
    private readonly bool _keepOrder;
    private readonly Dictionary<long, JobResult> _waiting = [];
    private long _nextInOrder = 1;

    public OutputDelivery(Stream stdout, Stream stderr, OutputMode mode, bool keepOrder)
    {
        _stdout = stdout;
        _stderr = stderr;
        _mode = mode;
        _keepOrder = keepOrder;
    }

    /// <summary>Line-buffer mode: complete lines of a running job, written at once.</summary>
    public void WriteLines(bool toStandardError, ReadOnlySpan<byte> lines)
    {
        lock (_gate)
        {
            Stream target = toStandardError ? _stderr : _stdout;
            target.Write(lines);
            target.Flush();
        }
    }

    /// <summary>A job has ended: write its captured output (now, or when its turn comes with keep-order).</summary>
    public void Deliver(JobResult job)
    {
        lock (_gate)
        {
            if (!_keepOrder)
            {
                Write(job);
                return;
            }

            _waiting[job.Sequence] = job;
            while (_waiting.Remove(_nextInOrder, out JobResult? next))
            {
                Write(next);
                _nextInOrder++;
            }
        }
    }

    private void Write(JobResult job)
    {
        switch (_mode)
        {
            case OutputMode.Json:
                _stdout.Write(JobJson.Format(job));
                _stdout.Flush();
                break;
            case OutputMode.Group:
                if (!job.StandardOutput.IsEmpty)
                {
                    _stdout.Write(job.StandardOutput.Span);
                    _stdout.Flush();
                }

                if (!job.StandardError.IsEmpty)
                {
                    _stderr.Write(job.StandardError.Span);
                    _stderr.Flush();
                }

                break;
            case OutputMode.LineBuffer:
                break; // written line by line while it ran
        }
    }
}
