namespace PosixProcs.Benchmarks;

/// <summary>
/// Another parallel runner (<c>xargs -P 2</c>, <c>parallel -j 2</c>) on the same jobs as
/// <see cref="RunnerJobsBenchmark"/>, timed the same way (<see cref="TimedCommand"/>): jobs/s.
/// </summary>
public sealed class RunnerCommandMeasurement : IMeasurement
{
    private readonly RunnerWorkload workload;
    private readonly ExternalCommand command;
    private readonly TimeSpan timeout;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure, e.g. <c>xargs.jobs_true</c>.</param>
    /// <param name="workload">The jobs.</param>
    /// <param name="command">The runner's command line (input on stdin).</param>
    /// <param name="timeout">How long one run may take.</param>
    public RunnerCommandMeasurement(string name, RunnerWorkload workload, ExternalCommand command, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(command);
        Name = name;
        this.workload = workload;
        this.command = command;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Unit Unit => Unit.JobsPerSecond;

    /// <summary>Checks that the program is installed.</summary>
    /// <exception cref="BenchmarkCheckException">It is not.</exception>
    public void Start()
    {
        if (!File.Exists(command.Program))
        {
            throw new BenchmarkCheckException($"{command.Program} is missing (Debian: apt-get install {Path.GetFileName(command.Program)}).");
        }
    }

    /// <summary>One untimed run (file cache, the runner's own start-up files).</summary>
    public void WarmUp() => Measure();

    /// <inheritdoc/>
    public double MeasureOnce() => Measure();

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private double Measure()
    {
        (TimeSpan elapsed, string output) = TimedCommand.Run(command, workload.InputPath, timeout);
        return Unit.FromRepetition(elapsed, workload.Check(Name, output));
    }
}
