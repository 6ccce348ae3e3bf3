namespace PosixProcs.Benchmarks;

/// <summary>Median, minimum and maximum of the repetitions of one figure.</summary>
/// <param name="Median">The median (for an even count, the mean of the middle two).</param>
/// <param name="Min">The smallest sample.</param>
/// <param name="Max">The largest sample.</param>
/// <param name="Repetitions">How many samples.</param>
public sealed record Summary(double Median, double Min, double Max, int Repetitions)
{
    /// <summary>The spread, (max - min) / median: 0.05 means the samples span 5% of the median.</summary>
    public double Spread => Median == 0 ? 0 : (Max - Min) / Math.Abs(Median);

    /// <summary>Summarises samples.</summary>
    /// <param name="samples">At least one finite sample.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ArgumentException">No samples, or a sample is NaN or infinite.</exception>
    public static Summary Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(samples));
        }

        if (samples.Any(s => !double.IsFinite(s)))
        {
            throw new ArgumentException("Samples must be finite numbers.", nameof(samples));
        }

        double[] sorted = [.. samples.Order()];
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
        return new Summary(median, sorted[0], sorted[^1], n);
    }
}
