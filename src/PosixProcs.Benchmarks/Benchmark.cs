namespace PosixProcs.Benchmarks;

/// <summary>
/// A benchmark of PosixProcs code: the measured side (this class, timed in process) and
/// the references it is compared with in the same run. To add one (ring, pool, duplex),
/// subclass this, implement <see cref="InProcessMeasurement.RunRepetition"/> and
/// <see cref="CreateComparisons"/>, and list it in <see cref="BenchmarkCatalog"/>.
/// </summary>
public abstract class Benchmark : InProcessMeasurement
{
    /// <summary>Creates the benchmark.</summary>
    /// <param name="name">The figure's name, <c>posix.*</c> for the Posix layer.</param>
    /// <param name="description">One line: what one operation is.</param>
    /// <param name="unit">The unit.</param>
    /// <param name="operationsPerRepetition">Operations per repetition.</param>
    protected Benchmark(string name, string description, Unit unit, long operationsPerRepetition)
        : base(name, unit, operationsPerRepetition)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        Description = description;
    }

    /// <summary>What one operation is, for the table and the report.</summary>
    public string Description { get; }

    /// <summary>
    /// What the measured code pays that its references do not (a deadline on every wait, a
    /// safety check), so a reader of a missed target knows where the difference may come
    /// from. Facts about the code, never about a run's numbers. <c>null</c> if nothing.
    /// </summary>
    public virtual string? Remarks => null;

    /// <summary>
    /// Creates the references for this run, each with its target. Called once; the harness
    /// starts and disposes them.
    /// </summary>
    /// <param name="settings">The run's settings (paths, quick or full sizes).</param>
    /// <returns>The comparisons, in the order they are shown.</returns>
    public abstract IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings);
}
