namespace PosixProcs.Benchmarks;

/// <summary>
/// One line of <c>results.json</c>, the table and the chart: a measured figure against one
/// reference. Missing values are <c>null</c> (a pending or failed side), never zero.
/// </summary>
/// <param name="Name">The measured figure.</param>
/// <param name="Description">What one operation is.</param>
/// <param name="Unit">The unit symbol of both values.</param>
/// <param name="Value">The measured median.</param>
/// <param name="Min">The measured minimum.</param>
/// <param name="Max">The measured maximum.</param>
/// <param name="Spread">The measured (max - min) / median.</param>
/// <param name="Repetitions">Timed repetitions of the measured side (0 when it has none).</param>
/// <param name="ReferenceName">The reference figure.</param>
/// <param name="ReferenceValue">The reference median.</param>
/// <param name="ReferenceMin">The reference minimum.</param>
/// <param name="ReferenceMax">The reference maximum.</param>
/// <param name="ReferenceSpread">The reference (max - min) / median.</param>
/// <param name="ReferenceRepetitions">Timed repetitions of the reference.</param>
/// <param name="Ratio">PosixProcs / reference: the median of the per-round ratios (see <see cref="ComparisonResult.ComparePaired"/>).</param>
/// <param name="Target">The target, e.g. <c>&lt;= 1.1x (project goal)</c>; <c>null</c> when the issues set none.</param>
/// <param name="TargetRatio">The target's ratio alone, for charts; <c>null</c> without a target.</param>
/// <param name="Verdict">Met, Missed, NoTarget, Pending or Failed.</param>
/// <param name="LowerIsBetter">Whether smaller values of the unit are better.</param>
/// <param name="Note">Why something is missing, or <c>null</c>.</param>
public sealed record ResultRow(
    string Name,
    string Description,
    string Unit,
    double? Value,
    double? Min,
    double? Max,
    double? Spread,
    int Repetitions,
    string ReferenceName,
    double? ReferenceValue,
    double? ReferenceMin,
    double? ReferenceMax,
    double? ReferenceSpread,
    int ReferenceRepetitions,
    double? Ratio,
    string? Target,
    double? TargetRatio,
    Verdict Verdict,
    bool LowerIsBetter,
    string? Note)
{
    /// <summary>Flattens results: one row per comparison (one row with no reference for a benchmark without comparisons).</summary>
    /// <param name="results">The results.</param>
    /// <returns>The rows, in order.</returns>
    public static IReadOnlyList<ResultRow> From(IEnumerable<BenchmarkResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = new List<ResultRow>();
        foreach (BenchmarkResult r in results)
        {
            IEnumerable<ComparisonResult> comparisons = r.Comparisons.Count > 0
                ? r.Comparisons
                : [new ComparisonResult(string.Empty, null, null, null, r.Measured is null ? Verdict.Failed : Verdict.NoTarget)];
            foreach (ComparisonResult c in comparisons)
            {
                rows.Add(new ResultRow(
                    r.Name, r.Description, r.Unit.Symbol,
                    r.Measured?.Median, r.Measured?.Min, r.Measured?.Max, r.Measured?.Spread, r.Measured?.Repetitions ?? 0,
                    c.Reference,
                    c.ReferenceSummary?.Median, c.ReferenceSummary?.Min, c.ReferenceSummary?.Max, c.ReferenceSummary?.Spread,
                    c.ReferenceSummary?.Repetitions ?? 0,
                    c.Ratio, c.Target?.ToString(), c.Target?.Ratio, c.Verdict, r.Unit.LowerIsBetter, r.Note));
            }
        }

        return rows;
    }
}
