using System.Text;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Runs a reference program and returns its standard output. Built on
/// <see cref="Posix.Spawn"/> rather than System.Diagnostics.Process: spawn starts no
/// threads in this process, which has to stay fork-safe for the benchmarks that fork.
/// The reference's stderr goes to ours, so its complaints are seen as they happen.
/// </summary>
public static class ExternalRunner
{
    /// <summary>Runs <paramref name="command"/> to completion and returns what it printed on stdout.</summary>
    /// <param name="command">The command.</param>
    /// <param name="timeout">How long it may run; then its process group is killed.</param>
    /// <returns>Its standard output.</returns>
    /// <exception cref="BenchmarkCheckException">It could not be started, timed out, or did not exit with 0.</exception>
    public static string Run(ExternalCommand command, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(command);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        using PipeEnds output = Posix.Pipe();
        using var stdin = new FileDescriptorHandle(0, ownsHandle: false);
        using var stderr = new FileDescriptorHandle(2, ownsHandle: false);
        // argv[0] is the full path: Python derives sys.executable from it, and a bare
        // "python3" would make multiprocessing's spawn and forkserver start the PATH's
        // (slow, pyenv shim) interpreter instead of the one measured.
        var request = new SpawnRequest(command.Program, [command.Program, .. command.Arguments])
        {
            Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, output.Write), new DescriptorMapping(2, stderr)],
            Environment = ReferenceEnvironment(),

            // Its own group, so a timeout also ends the workers a Python reference started.
            NewProcessGroup = true,
        };

        Pid pid;
        try
        {
            pid = Posix.Spawn(request);
        }
        catch (SpawnException e)
        {
            throw new BenchmarkCheckException($"cannot start the reference {command} ({e.Message}); `make bench-references` compiles the C references.", e);
        }

        output.Write.Dispose();
        var text = new StringBuilder();
        byte[] buffer = new byte[16384];
        var decoder = Encoding.UTF8.GetDecoder();
        char[] chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            TimeSpan left = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
            if (Posix.Poll(output.Read, PollEvents.In, left) == PollEvents.None)
            {
                KillAndReap(pid);
                throw new BenchmarkCheckException($"the reference {command} did not finish within {timeout.TotalSeconds:0} s and was killed.");
            }

            int n = Posix.Read(output.Read, buffer);
            if (n == 0)
            {
                break;
            }

            int count = decoder.GetChars(buffer, 0, n, chars, 0);
            text.Append(chars, 0, count);
        }

        WaitStatus status = WaitForExit(pid, deadline);
        if (!status.IsSuccess)
        {
            throw new BenchmarkCheckException($"the reference {command} {status} (its stderr is above).");
        }

        return text.ToString();
    }

    /// <summary>
    /// Its stdout is closed, so it is ending; poll rather than block, because a program
    /// that closed stdout early could still hang.
    /// </summary>
    private static WaitStatus WaitForExit(Pid pid, long deadline)
    {
        while (true)
        {
            WaitStatus status = Posix.WaitPid(pid, WaitOptions.NoHang);
            if (status.HasEnded)
            {
                return status;
            }

            if (Environment.TickCount64 > deadline)
            {
                KillAndReap(pid);
                throw new BenchmarkCheckException($"reference process {pid} closed its output but did not exit in time; killed.");
            }

            Thread.Sleep(1);
        }
    }

    private static void KillAndReap(Pid pid)
    {
        Posix.KillProcessGroup(pid, Signal.SIGKILL);
        Posix.WaitPid(pid);
    }

    /// <summary>This process's environment, plus no .pyc files written into the repository's scripts.</summary>
    private static List<string> ReferenceEnvironment()
    {
        var list = new List<string> { "PYTHONDONTWRITEBYTECODE=1" };
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if ((string)entry.Key != "PYTHONDONTWRITEBYTECODE")
            {
                list.Add($"{entry.Key}={entry.Value}");
            }
        }

        return list;
    }
}
