using System.Diagnostics;
using System.Text;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Runs a whole command (a parallel runner: posixprocs run, xargs -P, GNU parallel) with its
/// stdin on a file and its stdout on a pipe, and times it from spawn to exit with the same
/// clock for every side: start-up and shut-down are part of what a user waits for. Spawned
/// with <see cref="Posix.Spawn"/> (no thread started here; this process must stay fork-safe),
/// in its own process group so a timeout ends the runner and its jobs.
/// </summary>
public static class TimedCommand
{
    /// <summary>Runs <paramref name="command"/> and returns how long it took and what it printed.</summary>
    /// <param name="command">The command.</param>
    /// <param name="stdinPath">A file for its standard input.</param>
    /// <param name="timeout">How long it may run; then its group is killed.</param>
    /// <returns>The wall time and the standard output.</returns>
    /// <exception cref="BenchmarkCheckException">It could not start, timed out, or did not exit with 0.</exception>
    public static (TimeSpan Elapsed, string Output) Run(ExternalCommand command, string stdinPath, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(stdinPath);
        using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(stdinPath, FileMode.Open, FileAccess.Read);
        using var stdin = new FileDescriptorHandle((int)file.DangerousGetHandle(), ownsHandle: false);
        using var stderr = new FileDescriptorHandle(2, ownsHandle: false);
        using PipeEnds output = Posix.Pipe();
        var request = new SpawnRequest(command.Program, [command.Program, .. command.Arguments])
        {
            Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, output.Write), new DescriptorMapping(2, stderr)],
            NewProcessGroup = true,
        };

        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        long start = Stopwatch.GetTimestamp();
        Pid pid;
        try
        {
            pid = Posix.Spawn(request);
        }
        catch (SpawnException e)
        {
            throw new BenchmarkCheckException($"cannot start {command} ({e.Message}).", e);
        }

        output.Write.Dispose();
        var text = new StringBuilder();
        byte[] buffer = new byte[16384];
        while (true)
        {
            TimeSpan left = TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
            if (Posix.Poll(output.Read, PollEvents.In, left) == PollEvents.None)
            {
                KillAndReap(pid);
                throw new BenchmarkCheckException($"{command} did not finish within {timeout.TotalSeconds:0} s and was killed.");
            }

            int n = Posix.Read(output.Read, buffer);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        // Its stdout is closed, so it is ending; it is reaped within the same deadline.
        WaitStatus status;
        while (!(status = Posix.WaitPid(pid, WaitOptions.NoHang)).HasEnded)
        {
            if (Environment.TickCount64 > deadline)
            {
                KillAndReap(pid);
                throw new BenchmarkCheckException($"{command} closed its output but did not exit in time; killed.");
            }

            Thread.Sleep(1);
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        if (!status.IsSuccess)
        {
            throw new BenchmarkCheckException($"{command} {status} (its stderr is above).");
        }

        return (elapsed, text.ToString());
    }

    private static void KillAndReap(Pid pid)
    {
        Posix.KillProcessGroup(pid, Signal.SIGKILL);
        Posix.WaitPid(pid);
    }
}
