using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PosixProcs.Labs;

/// <summary>What a bounded read found.</summary>
/// <param name="Text">The bytes read, as UTF-8.</param>
/// <param name="EndOfFile">Whether read returned 0 (every write end closed) before the deadline.</param>
public sealed record ReadOutcome(string Text, bool EndOfFile);

/// <summary>Pipe I/O with deadlines, so that no lab can hang on a pipe.</summary>
public static class LabIo
{
    /// <summary>Writes a string as UTF-8, all of it (blocking).</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="text">The text.</param>
    public static void WriteText(FileDescriptorHandle fd, string text) => Posix.WriteAll(fd, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <c>key=value</c> lines: how a child reports its numbers to the parent.</summary>
    /// <param name="fd">The write end.</param>
    /// <param name="values">The values; formatted with the invariant culture.</param>
    public static void WriteReport(FileDescriptorHandle fd, params (string Key, object Value)[] values)
    {
        var text = new StringBuilder();
        foreach ((string key, object value) in values)
        {
            text.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        }

        WriteText(fd, text.ToString());
    }

    /// <summary>Reads until end of file or until <paramref name="timeout"/> has passed.</summary>
    /// <param name="fd">The read end.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>What was read, and whether end of file came.</returns>
    public static ReadOutcome ReadToEnd(FileDescriptorHandle fd, TimeSpan timeout)
    {
        long deadline = Deadline(timeout);
        var bytes = new List<byte>();
        byte[] buffer = new byte[16384];
        while (true)
        {
            TimeSpan left = Remaining(deadline);
            if (Posix.Poll(fd, PollEvents.In, left) == PollEvents.None)
            {
                return new ReadOutcome(Encoding.UTF8.GetString(bytes.ToArray()), false);
            }

            int n = ReadSome(fd, buffer);
            if (n < 0)
            {
                continue;
            }

            if (n == 0)
            {
                return new ReadOutcome(Encoding.UTF8.GetString(bytes.ToArray()), true);
            }

            bytes.AddRange(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Reads until end of file within <paramref name="timeout"/> and parses <c>key=value</c> lines.</summary>
    /// <param name="fd">The read end.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>The values.</returns>
    /// <exception cref="TimeoutException">End of file did not come in time.</exception>
    public static Report ReadReport(FileDescriptorHandle fd, TimeSpan timeout)
    {
        ReadOutcome outcome = ReadToEnd(fd, timeout);
        return outcome.EndOfFile
            ? Report.Parse(outcome.Text)
            : throw new TimeoutException($"no end of file within {timeout.TotalSeconds:0.#} s; read so far: {outcome.Text}");
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes, or fewer if end of file or the deadline comes first.
    /// </summary>
    /// <param name="fd">The read end.</param>
    /// <param name="count">How many bytes.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>The number read.</returns>
    public static long ReadAtMost(FileDescriptorHandle fd, long count, TimeSpan timeout)
    {
        long deadline = Deadline(timeout);
        byte[] buffer = new byte[65536];
        long total = 0;
        while (total < count)
        {
            if (Posix.Poll(fd, PollEvents.In, Remaining(deadline)) == PollEvents.None)
            {
                break;
            }

            int n = ReadSome(fd, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count - total)));
            if (n < 0)
            {
                continue;
            }

            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Fills <paramref name="buffer"/>, unless end of file or the deadline comes first.</summary>
    /// <param name="fd">The read end.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>The number of bytes read: <c>buffer.Length</c>, or fewer at end of file or timeout.</returns>
    public static int ReadExactly(FileDescriptorHandle fd, Span<byte> buffer, TimeSpan timeout)
    {
        long deadline = Deadline(timeout);
        int total = 0;
        while (total < buffer.Length)
        {
            if (Posix.Poll(fd, PollEvents.In, Remaining(deadline)) == PollEvents.None)
            {
                break;
            }

            int n = ReadSome(fd, buffer[total..]);
            if (n < 0)
            {
                continue;
            }

            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>
    /// Writes up to <paramref name="count"/> bytes through a non-blocking descriptor, waiting
    /// with poll while the pipe is full, but never past the deadline: the way to show a
    /// writer stalled on a full pipe without hanging.
    /// </summary>
    /// <param name="fd">The write end, non-blocking.</param>
    /// <param name="count">How many bytes to try.</param>
    /// <param name="timeout">How long at most.</param>
    /// <returns>How many bytes went in.</returns>
    public static long WriteAtMost(FileDescriptorHandle fd, long count, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(fd);
        if (!fd.NonBlocking)
        {
            throw new ArgumentException("the descriptor must be non-blocking, or a full pipe would block past the deadline", nameof(fd));
        }

        long deadline = Deadline(timeout);
        byte[] chunk = new byte[4096];
        chunk.AsSpan().Fill((byte)'x');
        long total = 0;
        while (total < count)
        {
            int size = (int)Math.Min(chunk.Length, count - total);
            try
            {
                total += Posix.Write(fd, chunk.AsSpan(0, size));
            }
            catch (PosixException ex) when (ex.Errno == PosixErrno.EAGAIN)
            {
                // The pipe is full: wait until the reader makes room, or the deadline passes.
                if (Posix.Poll(fd, PollEvents.Out, Remaining(deadline)) == PollEvents.None)
                {
                    break;
                }
            }
        }

        return total;
    }

    /// <summary>A deadline <paramref name="timeout"/> from now, in Stopwatch ticks.</summary>
    /// <param name="timeout">How long.</param>
    /// <returns>The deadline.</returns>
    public static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>The time left until <paramref name="deadline"/>; zero when it has passed.</summary>
    /// <param name="deadline">From <see cref="Deadline"/>.</param>
    /// <returns>The time left.</returns>
    public static TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    /// <summary>One read; -1 when a non-blocking descriptor had nothing after all (the caller polls again).</summary>
    private static int ReadSome(FileDescriptorHandle fd, Span<byte> buffer)
    {
        try
        {
            return Posix.Read(fd, buffer);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.EAGAIN)
        {
            return -1;
        }
    }
}

/// <summary>The <c>key=value</c> lines a child reported.</summary>
public sealed class Report
{
    private readonly Dictionary<string, string> values;

    private Report(Dictionary<string, string> values) => this.values = values;

    /// <summary>Parses <c>key=value</c> lines; other lines are ignored.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The report.</returns>
    public static Report Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }

        return new Report(values);
    }

    /// <summary>Whether a key was reported.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if present.</returns>
    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>A text value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The child did not report it.</exception>
    public string Text(string key) => values.TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"the child did not report {key}");

    /// <summary>A whole number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public long Number(string key) => long.Parse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A number.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public double Ratio(string key) => double.Parse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture);
}
