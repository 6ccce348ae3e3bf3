namespace PosixProcs.Benchmarks;

/// <summary>The measured figure against one reference.</summary>
/// <param name="Reference">The reference's figure name, e.g. <c>c.posix_spawn_true</c>.</param>
/// <param name="ReferenceSummary">The reference's median, min and max; <c>null</c> if it failed.</param>
/// <param name="Ratio">measured median / reference median; <c>null</c> when either side is missing.</param>
/// <param name="Target">The target from the issues, if any.</param>
/// <param name="Verdict">Met, missed, no target, pending or failed.</param>
public sealed record ComparisonResult(string Reference, Summary? ReferenceSummary, double? Ratio, Target? Target, Verdict Verdict)
{
    /// <summary>Compares two summaries and judges the ratio against the target.</summary>
    /// <param name="reference">The reference's name.</param>
    /// <param name="measured">The measured summary.</param>
    /// <param name="referenceSummary">The reference's summary.</param>
    /// <param name="target">The target, if any.</param>
    /// <returns>The comparison.</returns>
    public static ComparisonResult Compare(string reference, Summary measured, Summary referenceSummary, Target? target)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(referenceSummary);
        double ratio = measured.Median / referenceSummary.Median;
        return new ComparisonResult(reference, referenceSummary, ratio, target, target?.Judge(ratio) ?? Verdict.NoTarget);
    }
}
