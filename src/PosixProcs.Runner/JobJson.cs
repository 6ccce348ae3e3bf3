using System.Text;
using System.Text.Json;

namespace PosixProcs.Runner;

/// <summary>
/// <c>--json</c>: one JSON object per job, on one line: seq, slot, values, command, exit_code
/// (null if a signal ended it or it could not start), signal (name or null), timed_out,
/// attempts, start (Unix seconds), runtime (seconds), stdout and stderr (UTF-8 text), and
/// start_error when the program could not be started.
/// </summary>
internal static class JobJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = false };

    public static byte[] Format(JobResult job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", job.Sequence);
            json.WriteNumber("slot", job.Slot);
            json.WriteStartArray("values");
            foreach (string value in job.Values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
            json.WriteString("command", job.Command);
            if (job.Status is WaitStatus.Exited exited)
            {
                json.WriteNumber("exit_code", exited.Code);
            }
            else
            {
                json.WriteNull("exit_code");
            }

            if (job.Signal is { } signal)
            {
                json.WriteString("signal", signal.Name);
            }
            else
            {
                json.WriteNull("signal");
            }

            json.WriteBoolean("timed_out", job.TimedOut);
            json.WriteNumber("attempts", job.Attempts);
            json.WriteNumber("start", job.StartTime.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteNumber("runtime", Math.Round(job.Runtime.TotalSeconds, 6));
            json.WriteString("stdout", Encoding.UTF8.GetString(job.StandardOutput.Span));
            json.WriteString("stderr", Encoding.UTF8.GetString(job.StandardError.Span));
            if (job.StartError is { } error)
            {
                json.WriteString("start_error", error);
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
