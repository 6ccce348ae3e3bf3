namespace PosixProcs.Benchmarks;

/// <summary>The shape of results.json.</summary>
/// <param name="Machine">Where it ran.</param>
/// <param name="Quick">Whether it was a quick run.</param>
/// <param name="Rounds">Timed rounds per benchmark.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="DurationSeconds">How long it took.</param>
/// <param name="Results">One row per comparison.</param>
public sealed record ResultsDocument(
    MachineInfo Machine,
    bool Quick,
    int Rounds,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    IReadOnlyList<ResultRow> Results);
