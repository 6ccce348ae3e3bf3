using System.Text;

namespace PosixProcs.Stress;

/// <summary>
/// A helper started by a case (killer, signal sender, victim): this same program with a verb,
/// spawned (fork-safe, no managed code in the child), with pipes on its standard input and
/// output. Closing its input tells it to stop; every wait on it is bounded.
/// </summary>
internal sealed class HelperProcess : IDisposable
{
    private readonly ChildProcess _child;
    private readonly StringBuilder _output = new();

    private HelperProcess(ChildProcess child) => _child = child;

    public Pid Pid => _child.Pid;

    /// <summary>How it ended, once reaped (after <see cref="Stop"/>).</summary>
    public WaitStatus? Status => _child.Status;

    public static HelperProcess Start(params string[] arguments)
    {
        string dotnet = Environment.ProcessPath ?? "dotnet";
        ChildProcess child = ChildProcess.Spawn(dotnet, [typeof(HelperProcess).Assembly.Location, .. arguments], new SpawnOptions
        {
            StandardInput = StdioRedirect.Pipe,
            StandardOutput = StdioRedirect.Pipe,
            ParentDeathSignal = Signal.SIGKILL,
        });
        return new HelperProcess(child);
    }

    /// <summary>Reads output until a line starting with <paramref name="prefix"/> arrives; null if none within <paramref name="timeout"/>.</summary>
    public string? WaitForLine(string prefix, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            // Only whole lines count: the last piece may still be arriving.
            string text = _output.ToString();
            string? line = text[..(text.LastIndexOf('\n') + 1)].Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !ReadSome(TimeSpan.FromMilliseconds(left)))
            {
                return null;
            }
        }
    }

    /// <summary>Asks the helper to stop (closes its input), waits at most <paramref name="timeout"/>, kills it if it has not ended; returns all it printed.</summary>
    public string Stop(TimeSpan timeout)
    {
        _child.StandardInput?.Dispose();
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline && ReadSome(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64))))
        {
        }

        if (!_child.Wait(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64))))
        {
            _child.Kill();
            _child.Wait(TimeSpan.FromSeconds(10));
        }

        return _output.ToString();
    }

    /// <summary>Kills the helper now (as a dead parent would leave it) and reaps it.</summary>
    public WaitStatus? KillAndReap(TimeSpan timeout)
    {
        _child.Kill();
        return _child.Wait(timeout) ? _child.Status : null;
    }

    public void Dispose() => _child.Dispose();

    /// <summary>Reads what is there, waiting up to <paramref name="timeout"/>; false at end of output or time out.</summary>
    private bool ReadSome(TimeSpan timeout)
    {
        FileDescriptorStream output = _child.StandardOutput!;
        if ((Posix.Poll(output.Handle, PollEvents.In, timeout) & (PollEvents.In | PollEvents.HangUp)) == 0)
        {
            return false;
        }

        byte[] buffer = new byte[4096];
        int read = output.Read(buffer);
        if (read == 0)
        {
            return false;
        }

        _output.Append(Encoding.UTF8.GetString(buffer, 0, read));
        return true;
    }
}
