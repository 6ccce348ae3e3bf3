using System.Diagnostics;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A measurement of .NET code in this process: the harness times <see cref="RunRepetition"/>
/// with a monotonic clock and checks that it did <see cref="OperationsPerRepetition"/>
/// operations. Subclasses check their own checksums inside <see cref="RunRepetition"/>.
/// </summary>
public abstract class InProcessMeasurement : IMeasurement
{
    private bool disposed;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure's name.</param>
    /// <param name="unit">The figure's unit.</param>
    /// <param name="operationsPerRepetition">How many operations one repetition must do, 1 or more.</param>
    protected InProcessMeasurement(string name, Unit unit, long operationsPerRepetition)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(operationsPerRepetition);
        Name = name;
        Unit = unit;
        OperationsPerRepetition = operationsPerRepetition;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Unit Unit { get; }

    /// <summary>How many operations one repetition does.</summary>
    public long OperationsPerRepetition { get; }

    /// <inheritdoc/>
    public virtual void Start()
    {
    }

    /// <inheritdoc/>
    public void WarmUp() => Checked(RunRepetition());

    /// <inheritdoc/>
    public double MeasureOnce()
    {
        long start = Stopwatch.GetTimestamp();
        Work work = RunRepetition();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return Unit.FromRepetition(elapsed, Checked(work));
    }

    /// <summary>Releases what <see cref="Start"/> acquired; a second call does nothing (the harness disposes every side it ran).</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Does one repetition of <see cref="OperationsPerRepetition"/> operations and checks the results.</summary>
    /// <returns>What was done.</returns>
    /// <exception cref="BenchmarkCheckException">A result was wrong.</exception>
    protected abstract Work RunRepetition();

    /// <summary>Releases children, descriptors and mappings.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private Work Checked(Work work)
    {
        if (work.Operations != OperationsPerRepetition)
        {
            throw new BenchmarkCheckException($"{Name}: a repetition did {work.Operations} operations, {OperationsPerRepetition} were asked.");
        }

        return work;
    }
}
