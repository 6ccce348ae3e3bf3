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
        (string output, WaitStatus status, TimeSpan elapsed) = ExternalRunner.Capture(
            stdout => new SpawnRequest(command.Program, [command.Program, .. command.Arguments])
            {
                Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, stdout), new DescriptorMapping(2, stderr)],
                NewProcessGroup = true,
            },
            command.ToString(),
            string.Empty,
            timeout);
        if (!status.IsSuccess)
        {
            throw new BenchmarkCheckException($"{command} {status} (its stderr is above).");
        }

        return (elapsed, output);
    }
}
