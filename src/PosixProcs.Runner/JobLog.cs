using System.Globalization;
using System.Text;

namespace PosixProcs.Runner;

/// <summary>
/// GNU parallel's <c>--joblog</c>: a header, then one tab-separated line per finished job,
/// written as jobs end: Seq, Host (<c>:</c> for this machine), Starttime (Unix seconds, 3
/// decimals), JobRuntime (seconds, <c>%10.3f</c>), Send (0), Receive (stdout bytes),
/// Exitval, Signal (number, 0 for none), Command.
/// </summary>
internal sealed class JobLog : IDisposable
{
    /// <summary>The header line, as GNU parallel writes it.</summary>
    public const string Header = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand";

    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;

    public JobLog(string path)
    {
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        _writer.WriteLine(Header);
        _writer.Flush();
    }

    /// <summary>One job's line (without the newline).</summary>
    public static string Format(JobResult job)
    {
        ArgumentNullException.ThrowIfNull(job);
        double start = job.StartTime.ToUnixTimeMilliseconds() / 1000.0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{job.Sequence}\t:\t{start:0.000}\t{job.Runtime.TotalSeconds,10:0.000}\t0\t{job.StandardOutputBytes}\t{job.ExitValue}\t{job.Signal?.Number ?? 0}\t{job.Command}");
    }

    /// <summary>Appends a job's line and flushes, so the log is complete even if the run is killed. Jobs end on several threads at once.</summary>
    public void Write(JobResult job)
    {
        string line = Format(job);
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
