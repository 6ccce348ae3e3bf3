namespace PosixProcs.Benchmarks;

/// <summary>The measured figure against one reference.</summary>
/// <param name="Reference">The reference's figure name, e.g. <c>c.posix_spawn_true</c>.</param>
/// <param name="ReferenceSummary">The reference's median, min and max; <c>null</c> if it failed.</param>
/// <param name="Ratio">
/// measured / reference: the median over rounds of the ratio within each round (paired) when
/// both sides ran every round, else the ratio of the medians; <c>null</c> when a side is missing.
/// </param>
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

    /// <summary>
    /// Compares the samples of interleaved rounds pairwise: each round's measured value over
    /// the same round's reference value, then the median of those ratios. Load that slows
    /// one round slows both sides of that round's ratio, so the pairs cancel most of it.
    /// </summary>
    /// <param name="reference">The reference's name.</param>
    /// <param name="measured">The measured samples, one per round.</param>
    /// <param name="referenceSamples">The reference's samples, one per round, in the same rounds.</param>
    /// <param name="target">The target, if any.</param>
    /// <returns>The comparison; the reference's summary is of its own samples.</returns>
    /// <exception cref="ArgumentException">The sample counts differ or are zero.</exception>
    public static ComparisonResult ComparePaired(string reference, IReadOnlyList<double> measured, IReadOnlyList<double> referenceSamples, Target? target)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(referenceSamples);
        if (measured.Count != referenceSamples.Count || measured.Count == 0)
        {
            throw new ArgumentException($"Paired comparison needs one sample per round on both sides ({measured.Count} and {referenceSamples.Count}).", nameof(referenceSamples));
        }

        double ratio = Summary.Of([.. measured.Select((m, i) => m / referenceSamples[i])]).Median;
        return new ComparisonResult(reference, Summary.Of(referenceSamples), ratio, target, target?.Judge(ratio) ?? Verdict.NoTarget);
    }
}
