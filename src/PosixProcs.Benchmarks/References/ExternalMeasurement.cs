using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A C or Python reference measured once per round: each round runs the program with
/// <c>--repetitions 1</c>, so rounds interleave with the measured code; the program warms
/// itself up (<c>--warmup</c>) and times itself, so its start-up never enters the figure.
/// </summary>
public sealed class ExternalMeasurement : IMeasurement
{
    private readonly ExternalCommand command;
    private readonly long expectedCount;
    private readonly int warmup;
    private readonly TimeSpan timeout;
    private readonly Unit figureUnit;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure the program prints, e.g. <c>c.fork_exit_wait</c>.</param>
    /// <param name="unit">Its unit.</param>
    /// <param name="command">The command, including <c>--iterations</c> and any variant options.</param>
    /// <param name="expectedCount">Operations one repetition must report.</param>
    /// <param name="warmup">Untimed repetitions inside each run.</param>
    /// <param name="timeout">How long one run may take.</param>
    public ExternalMeasurement(string name, Unit unit, ExternalCommand command, long expectedCount, int warmup, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedCount);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        Name = name;
        Unit = unit;
        figureUnit = unit;
        this.command = command;
        this.expectedCount = expectedCount;
        this.warmup = warmup;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The same measurement, reported in another time unit (a Python figure in ms next to a .NET figure in us).</summary>
    /// <param name="unit">The unit to report in.</param>
    /// <returns>The converted measurement.</returns>
    /// <exception cref="ArgumentException">The units are not both times.</exception>
    public ExternalMeasurement In(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        _ = figureUnit.Convert(1, unit);
        return new ExternalMeasurement(Name, figureUnit, command, expectedCount, warmup, timeout) { Unit = unit };
    }

    /// <inheritdoc/>
    public Unit Unit { get; private init; }

    /// <inheritdoc/>
    public void Start()
    {
    }

    /// <summary>Nothing: every run of the program warms itself up before timing.</summary>
    public void WarmUp()
    {
    }

    /// <inheritdoc/>
    public double MeasureOnce()
    {
        string output = ExternalRunner.Run(
            command.With("--repetitions", "1", "--warmup", warmup.ToString(CultureInfo.InvariantCulture)), timeout);
        ExternalFigure figure;
        try
        {
            figure = ExternalFigure.ParseAll(output).SingleOrDefault(f => f.Name == Name)
                ?? throw new BenchmarkCheckException($"{command} printed no figure {Name}:\n{output}");
        }
        catch (FormatException e)
        {
            throw new BenchmarkCheckException($"{command}: {e.Message}", e);
        }

        return figureUnit.Convert(figure.Check(Name, figureUnit, (ulong)expectedCount).Summary.Median, Unit);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
