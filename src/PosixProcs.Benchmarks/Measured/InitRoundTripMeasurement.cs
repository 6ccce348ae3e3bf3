namespace PosixProcs.Benchmarks;

/// <summary>A reference for <see cref="InitStartBenchmark"/>: another way to run <c>/bin/true</c> under an init, timed the same way.</summary>
public sealed class InitRoundTripMeasurement : InProcessMeasurement
{
    private readonly Func<IReadOnlyList<string>> command;
    private readonly TimeSpan timeout;
    private IReadOnlyList<string>? resolved;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure's name.</param>
    /// <param name="command">The command (argv, the program first), resolved at <see cref="Start"/>, so a missing program fails only this figure.</param>
    /// <param name="iterations">Round trips per repetition.</param>
    /// <param name="timeout">How long one round trip may take.</param>
    public InitRoundTripMeasurement(string name, Func<IReadOnlyList<string>> command, long iterations, TimeSpan timeout)
        : base(name, Unit.Microseconds, iterations)
    {
        ArgumentNullException.ThrowIfNull(command);
        this.command = command;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    public override void Start() => resolved = command();

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        IReadOnlyList<string> argv = resolved ?? throw new InvalidOperationException("Start first.");
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            InitPrograms.RoundTrip(argv, timeout);
        }

        return new Work(OperationsPerRepetition, (ulong)OperationsPerRepetition);
    }
}
