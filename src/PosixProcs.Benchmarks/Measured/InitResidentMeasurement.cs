namespace PosixProcs.Benchmarks;

/// <summary>A reference for <see cref="InitMemoryBenchmark"/>: another init's resident memory while its program sleeps.</summary>
public sealed class InitResidentMeasurement : InProcessMeasurement
{
    private readonly Func<string> init;
    private readonly TimeSpan timeout;
    private string? resolved;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure's name.</param>
    /// <param name="init">The init's path, resolved at <see cref="Start"/>, so a missing init fails only this figure.</param>
    /// <param name="timeout">How long the program may take to start, and the init to end after SIGTERM.</param>
    public InitResidentMeasurement(string name, Func<string> init, TimeSpan timeout)
        : base(name, Unit.Kibibytes, 1)
    {
        ArgumentNullException.ThrowIfNull(init);
        this.init = init;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    public override void Start() => resolved = init();

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        long bytes = InitPrograms.ResidentWhileProgramSleeps(resolved ?? throw new InvalidOperationException("Start first."), timeout);
        return new Work(1, (ulong)bytes, bytes);
    }
}
