using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// <c>posixprocs run -j 2</c> (the CLI, end to end: .NET start-up included) against
/// <c>xargs -P 2</c> and GNU <c>parallel -j 2</c> on the same N jobs read from stdin, each
/// timed from spawn to exit. Targets: at least 1.0x xargs and 5x GNU parallel.
/// </summary>
public sealed class RunnerJobsBenchmark : Benchmark
{
    private static readonly string[] EchoJob = ["echo", "{}"];
    private static readonly string[] TrueJob = ["true"];
    private readonly RunnerWorkload workload;
    private readonly TimeSpan timeout;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="echo">True for <c>echo {}</c> jobs, false for <c>true</c> jobs.</param>
    public RunnerJobsBenchmark(BenchmarkSettings settings, bool echo)
        : base(echo ? "runner.jobs_echo" : "runner.jobs_true", Describe(settings, echo), Unit.JobsPerSecond, Jobs(settings))
    {
        workload = new RunnerWorkload(OperationsPerRepetition, echo);
        timeout = settings.ReferenceTimeout;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "The posixprocs side is the whole CLI process (dotnet start-up, JIT, reading stdin) as xargs and parallel are; " +
        "each job gets its own process group, /dev/null stdin and two pipes whose output is grouped per job.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string suffix = workload.Echo ? "jobs_echo" : "jobs_true";
        ExternalCommand xargs = workload.Echo
            ? new("/usr/bin/xargs", ["-P", "2", "-I{}", "echo", "{}"])
            : new("/usr/bin/xargs", ["-P", "2", "-n", "1", "true"]);
        ExternalCommand parallel = new("/usr/bin/parallel", ["--will-cite", "-j", "2", .. (workload.Echo ? EchoJob : TrueJob)]);
        return
        [
            new(new RunnerCommandMeasurement("xargs." + suffix, workload, xargs, timeout), Target.AtLeast(1.0, "project goal")),
            new(new RunnerCommandMeasurement("parallel." + suffix, workload, parallel, timeout), Target.AtLeast(5.0, "project goal")),
        ];
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ExternalCommand command = PosixprocsCommand().With(["run", "-j", "2", "--", .. (workload.Echo ? EchoJob : TrueJob)]);
        (_, string output) = TimedCommand.Run(command, workload.InputPath, timeout);
        return workload.Check(Name, output);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            workload.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// This posixprocs: the CLI that runs the benchmarks sits next to this assembly
    /// (PosixProcs.Cli.dll, run by the same dotnet, or its apphost).
    /// </summary>
    private static ExternalCommand PosixprocsCommand()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "PosixProcs.Cli.dll");
        string apphost = Path.Combine(AppContext.BaseDirectory, "PosixProcs.Cli");
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" && File.Exists(dll))
        {
            return new ExternalCommand(process, [dll]);
        }

        return File.Exists(apphost)
            ? new ExternalCommand(apphost, [])
            : throw new BenchmarkCheckException($"posixprocs (PosixProcs.Cli) is not next to {AppContext.BaseDirectory}: run the benchmarks with `posixprocs bench`.");
    }

    private static long Jobs(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(2000, 300);
    }

    private static string Describe(BenchmarkSettings settings, bool echo) =>
        $"{Jobs(settings).ToString(CultureInfo.InvariantCulture)} `{(echo ? "echo {}" : "true")}` jobs, -j 2, whole command timed";
}
