using System.Text.Json;

namespace PosixProcs;

/// <summary>
/// The parent's end of a forked child's fault pipe. The child writes one JSON report if its
/// delegate throws, then exits; the parent reads it after reaping the child. Close-on-exec,
/// and non-blocking when read, so a grandchild that inherited the write end cannot make
/// the parent wait.
/// </summary>
internal sealed class ChildFaultReader(FileDescriptorHandle readEnd) : IDisposable
{
    public ChildFault? ReadAfterExit()
    {
        if (readEnd.IsClosed)
        {
            return null;
        }

        readEnd.NonBlocking = true;
        var buffer = new byte[ChildFault.MaxTextLength * 4];
        int total = 0;
        while (total < buffer.Length && Posix.TryRead(readEnd, buffer.AsSpan(total), out int n) && n > 0)
        {
            total += n;
        }

        readEnd.Dispose();
        if (total == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.AsSpan(0, total), ProcessesJsonContext.Default.ChildFault);
        }
        catch (JsonException)
        {
            return new ChildFault("(unreadable)", "The child's fault report was cut short.", string.Empty);
        }
    }

    public void Dispose() => readEnd.Dispose();

    /// <summary>Child side: reports <paramref name="exception"/> on the write end.</summary>
    internal static void Report(FileDescriptorHandle writeEnd, Exception exception)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(ChildFault.From(exception), ProcessesJsonContext.Default.ChildFault);
        Posix.WriteAll(writeEnd, json);
    }
}
