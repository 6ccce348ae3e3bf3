using System.Diagnostics;
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
        using var stdin = new FileDescriptorHandle(0, ownsHandle: false);
        using var stderr = new FileDescriptorHandle(2, ownsHandle: false);

        // argv[0] is the full path: Python derives sys.executable from it, and a bare
        // "python3" would make multiprocessing's spawn and forkserver start the PATH's
        // (slow, pyenv shim) interpreter instead of the one measured.
        (string output, WaitStatus status, _) = Capture(
            stdout => new SpawnRequest(command.Program, [command.Program, .. command.Arguments])
            {
                Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, stdout), new DescriptorMapping(2, stderr)],
                Environment = ReferenceEnvironment(),
                NewProcessGroup = true,
            },
            $"the reference {command}",
            "; `make bench-references` compiles the C references",
            timeout);
        if (!status.IsSuccess)
        {
            throw new BenchmarkCheckException($"the reference {command} {status} (its stderr is above).");
        }

        return output;
    }

    /// <summary>
    /// Spawns the program <paramref name="request"/> describes (in its own process group, which
    /// the request asks for, so that a timeout also ends what it started), with its stdout on a
    /// pipe made here; reads that to the end and reaps it, all within <paramref name="timeout"/>,
    /// else kills the group.
    /// </summary>
    /// <param name="request">Makes the request, given the pipe's write end to map as its stdout.</param>
    /// <param name="what">Names the program in errors.</param>
    /// <param name="startHint">Added to the error when it cannot be started.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>What it printed, how it ended, and the time from spawn to reap.</returns>
    /// <exception cref="BenchmarkCheckException">It could not be started or did not end in time.</exception>
    internal static (string Output, WaitStatus Status, TimeSpan Elapsed) Capture(Func<FileDescriptorHandle, SpawnRequest> request, string what, string startHint, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        using PipeEnds output = Posix.Pipe();
        long start = Stopwatch.GetTimestamp();
        Pid pid;
        try
        {
            pid = Posix.Spawn(request(output.Write));
        }
        catch (SpawnException e)
        {
            throw new BenchmarkCheckException($"cannot start {what} ({e.Message}){startHint}.", e);
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
                throw new BenchmarkCheckException($"{what} did not finish within {timeout.TotalSeconds:0} s and was killed.");
            }

            int n = Posix.Read(output.Read, buffer);
            if (n == 0)
            {
                break;
            }

            int count = decoder.GetChars(buffer, 0, n, chars, 0);
            text.Append(chars, 0, count);
        }

        WaitStatus status = WaitForExit(pid, what, deadline);
        return (text.ToString(), status, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// Its stdout is closed, so it is ending; poll rather than block, because a program
    /// that closed stdout early could still hang.
    /// </summary>
    private static WaitStatus WaitForExit(Pid pid, string what, long deadline)
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
                throw new BenchmarkCheckException($"{what} (pid {pid}) closed its output but did not exit in time; killed.");
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
