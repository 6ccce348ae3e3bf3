namespace PosixProcs.Benchmarks;

/// <summary>
/// The resident memory (VmRSS) of posixprocs-init while its program (<c>sleep</c>) runs: what PID 1
/// costs a container for its whole life, against tini in the same run. Target (issue 14): no
/// more than tini. Linux (/proc).
/// </summary>
public sealed class InitMemoryBenchmark : Benchmark
{
    private readonly TimeSpan childTimeout;
    private string? init;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public InitMemoryBenchmark(BenchmarkSettings settings)
        : base("init.rss_program_sleeping", "posixprocs-init resident memory while its program sleeps", Unit.Kibibytes, 1)
    {
        ArgumentNullException.ThrowIfNull(settings);
        childTimeout = settings.ChildTimeout;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "VmRSS of the init once its child has exec'd sleep; each repetition starts a new init and ends it with SIGTERM, which it must forward (exit 143). "
        + "`posixprocs init` execs the same binary, so after the exec its process is this one.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings) =>
        [new(new InitResidentMeasurement("tini.rss_program_sleeping", InitPrograms.Tini, childTimeout), Target.AtMost(1.0, "project goal"))];

    /// <inheritdoc/>
    public override void Start() => init = InitPrograms.PosixProcsInit();

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        long bytes = InitPrograms.ResidentWhileProgramSleeps(init ?? throw new InvalidOperationException("Start first."), childTimeout);
        return new Work(1, (ulong)bytes, bytes);
    }
}
