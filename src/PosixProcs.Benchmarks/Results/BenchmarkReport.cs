namespace PosixProcs.Benchmarks;

/// <summary>Everything one run produced, for the table, results.json and report.md.</summary>
/// <param name="Machine">Where it ran.</param>
/// <param name="Quick">Whether it was a quick run.</param>
/// <param name="Rounds">Timed rounds per benchmark.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Results">The results, in run order.</param>
public sealed record BenchmarkReport(
    MachineInfo Machine,
    bool Quick,
    int Rounds,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<BenchmarkResult> Results)
{
    /// <summary>The results flattened to one row per comparison.</summary>
    public IReadOnlyList<ResultRow> Rows => ResultRow.From(Results);
}
