using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A target ratio from the issues, always stated as measured / reference in the figure's
/// own unit: "spawn at most 1.1x C" is <c>AtMost 1.1</c> on microseconds, "throughput at
/// least 0.9x C" is <c>AtLeast 0.9</c> on MiB/s.
/// </summary>
/// <param name="Direction">Whether the ratio must stay at or below, or at or above, <paramref name="Ratio"/>.</param>
/// <param name="Ratio">The target ratio, positive.</param>
/// <param name="Source">Where it was set, in words for the reader of the table, e.g. <c>project goal</c>.</param>
public sealed record Target(TargetDirection Direction, double Ratio, string Source)
{
    /// <summary>At most <paramref name="ratio"/> times the reference.</summary>
    /// <param name="ratio">The ratio.</param>
    /// <param name="source">Where it was set.</param>
    /// <returns>The target.</returns>
    public static Target AtMost(double ratio, string source) => new(TargetDirection.AtMost, Positive(ratio), source);

    /// <summary>At least <paramref name="ratio"/> times the reference.</summary>
    /// <param name="ratio">The ratio.</param>
    /// <param name="source">Where it was set.</param>
    /// <returns>The target.</returns>
    public static Target AtLeast(double ratio, string source) => new(TargetDirection.AtLeast, Positive(ratio), source);

    /// <summary>Judges a measured ratio.</summary>
    /// <param name="ratio">measured / reference.</param>
    /// <returns><see cref="Verdict.Met"/> or <see cref="Verdict.Missed"/>.</returns>
    public Verdict Judge(double ratio) =>
        (Direction == TargetDirection.AtMost ? ratio <= Ratio : ratio >= Ratio) ? Verdict.Met : Verdict.Missed;

    /// <summary>For example <c>&lt;= 1.1x (project goal)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Direction == TargetDirection.AtMost ? "<=" : ">=")} {Ratio:0.###}x ({Source})");

    private static double Positive(double ratio)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        return double.IsFinite(ratio) ? ratio : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A target ratio must be finite.");
    }
}
