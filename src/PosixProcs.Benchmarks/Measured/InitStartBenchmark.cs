namespace PosixProcs.Benchmarks;

/// <summary>
/// Start-to-exit of <c>posixprocs-init -s -- /bin/true</c> (start the init, which forks and execs
/// the program, reaps it and exits with its code), against tini doing the same in the same run,
/// and, as information, <c>posixprocs init -- /bin/true</c> through the tool. Target (issue 14):
/// at most 1.2x tini.
/// </summary>
public sealed class InitStartBenchmark : Benchmark
{
    private readonly TimeSpan childTimeout;
    private string? init;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public InitStartBenchmark(BenchmarkSettings settings)
        : base("init.start_true", "posixprocs-init -- /bin/true, start to exit", Unit.Microseconds, Iterations(settings))
    {
        childTimeout = settings.ChildTimeout;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Each side is started by ChildProcess.Spawn and waited for; the init (with -s: a subreaper, as an init that is not PID 1 should be) "
        + "forks /bin/true, reaps it and exits. "
        + "`posixprocs init` (when measured) is a dotnet start of the tool before the same exec: slower by that start, not by the init.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var comparisons = new List<Comparison>
        {
            new(new InitRoundTripMeasurement("tini.start_true", () => [InitPrograms.Tini(), "-s", "--", "/bin/true"], OperationsPerRepetition, childTimeout), Target.AtMost(1.2, "project goal")),
        };
        if (settings.ToolCommand is { Count: > 0 } tool)
        {
            comparisons.Add(new(new InitRoundTripMeasurement("cli.init_start_true", () => [.. tool, "init", "-s", "--", "/bin/true"], settings.Size(5, 2), childTimeout), null));
        }

        return comparisons;
    }

    /// <inheritdoc/>
    public override void Start() => init = InitPrograms.PosixProcsInit();

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        string program = init ?? throw new InvalidOperationException("Start first.");
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            InitPrograms.RoundTrip([program, "-s", "--", "/bin/true"], childTimeout);
        }

        return new Work(OperationsPerRepetition, (ulong)OperationsPerRepetition);
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(50, 20);
    }
}
