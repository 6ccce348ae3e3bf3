using System.Diagnostics;

namespace PosixProcs.Benchmarks;

/// <summary>
/// System.Diagnostics.Process.Start of a program and WaitForExit: how .NET itself starts a
/// process, as a second reference for spawn. It registers the runtime's SIGCHLD handling,
/// so the catalog runs it after every benchmark that forks managed code.
/// </summary>
public sealed class ProcessStartMeasurement : InProcessMeasurement
{
    private readonly string program;
    private readonly TimeSpan timeout;

    /// <summary>Creates the measurement.</summary>
    /// <param name="program">The program's path, run without arguments.</param>
    /// <param name="iterations">Starts per repetition.</param>
    /// <param name="timeout">How long one run may take.</param>
    public ProcessStartMeasurement(string program, long iterations, TimeSpan timeout)
        : base("dotnet.process_start_true", Unit.Microseconds, iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        this.program = program;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ulong succeeded = 0;
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            using Process process = Process.Start(start) ?? throw new BenchmarkCheckException($"Process.Start({program}) started nothing.");
            if (!process.WaitForExit(timeout))
            {
                process.Kill();
                throw new BenchmarkCheckException($"{program} did not exit within {timeout.TotalSeconds:0} s; killed.");
            }

            if (process.ExitCode != 0)
            {
                throw new BenchmarkCheckException($"{program} exited with {process.ExitCode}.");
            }

            succeeded++;
        }

        return new Work(OperationsPerRepetition, succeeded);
    }
}
