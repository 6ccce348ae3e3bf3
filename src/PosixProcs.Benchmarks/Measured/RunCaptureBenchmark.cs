using System.Diagnostics;

namespace PosixProcs.Benchmarks;

/// <summary>
/// <see cref="ChildProcess.RunAsync"/> of <c>/bin/echo hello</c>, capturing both outputs, against
/// System.Diagnostics.Process with both streams redirected and Python's
/// <c>subprocess.run(capture_output=True)</c>: the everyday call, as each platform makes it.
/// </summary>
/// <remarks>
/// Every run is checked: exit code 0 and exactly "hello\n" on stdout. The checksum counts
/// runs that passed. RunAsync also puts the program in its own process group, reads both
/// pipes through the reactor thread, and reaps with wait4 for the usage.
/// </remarks>
public sealed class RunCaptureBenchmark : Benchmark
{
    private const string EchoPath = "/bin/echo";
    private readonly RunOptions options;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public RunCaptureBenchmark(BenchmarkSettings settings)
        : base("run.capture_echo", "ChildProcess.RunAsync(/bin/echo hello), outputs captured", Unit.Microseconds, Iterations(settings))
    {
        options = new RunOptions { Timeout = settings.ChildTimeout };
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "RunAsync spawns in a new process group with stdin on /dev/null and two pipes, awaits both pipes and the exit on the reactor " +
        "thread (pidfd), and reaps with wait4 for the resource usage; each run is awaited to its end before the next.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(new ProcessCaptureMeasurement(EchoPath, OperationsPerRepetition, settings.ChildTimeout), null),
            new(References.Python(settings, "run_capture.py", "py.subprocess_run_capture", Unit.Microseconds, OperationsPerRepetition), null),
        ];
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ulong succeeded = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            RunResult result = ChildProcess.RunAsync(EchoPath, ["hello"], options).GetAwaiter().GetResult();
            if (result.StandardOutput != "hello\n" || result.StandardError.Length != 0)
            {
                throw new BenchmarkCheckException($"{EchoPath} wrote '{result.StandardOutput}' / '{result.StandardError}'.");
            }

            succeeded++;
        }

        return new Work(OperationsPerRepetition, succeeded);
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(100, 30);
    }

    /// <summary>System.Diagnostics.Process with stdout and stderr redirected, both read to the end, and WaitForExit.</summary>
    private sealed class ProcessCaptureMeasurement : InProcessMeasurement
    {
        private readonly string program;
        private readonly TimeSpan timeout;

        public ProcessCaptureMeasurement(string program, long iterations, TimeSpan timeout)
            : base("dotnet.process_capture_echo", Unit.Microseconds, iterations)
        {
            this.program = program;
            this.timeout = timeout;
        }

        protected override Work RunRepetition()
        {
            ulong succeeded = 0;
            var start = new ProcessStartInfo(program, ["hello"]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            for (long i = 0; i < OperationsPerRepetition; i++)
            {
                using Process process = Process.Start(start) ?? throw new BenchmarkCheckException($"Process.Start({program}) started nothing.");
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit(timeout))
                {
                    process.Kill();
                    throw new BenchmarkCheckException($"{program} did not exit within {timeout.TotalSeconds:0} s; killed.");
                }

                if (process.ExitCode != 0 || stdout.GetAwaiter().GetResult() != "hello\n" || stderr.GetAwaiter().GetResult().Length != 0)
                {
                    throw new BenchmarkCheckException($"{program} exited with {process.ExitCode} or wrote something else.");
                }

                succeeded++;
            }

            return new Work(OperationsPerRepetition, succeeded);
        }
    }
}
