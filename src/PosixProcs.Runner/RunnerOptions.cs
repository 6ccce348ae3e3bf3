namespace PosixProcs.Runner;

/// <summary>How a <see cref="ParallelRunner"/> runs its jobs. Every property has a default; values are checked when the runner is created.</summary>
public sealed record RunnerOptions
{
    /// <summary>Jobs run at once (<c>-j</c>). Default the number of processors.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Run each job through <see cref="ShellPath"/> <c>-c</c> (<c>--shell</c>); every
    /// substituted value is then shell-quoted. Default false: the words are argv, no shell.
    /// </summary>
    public bool UseShell { get; init; }

    /// <summary>The shell for <see cref="UseShell"/>. Default <c>/bin/sh</c>.</summary>
    public string ShellPath { get; init; } = "/bin/sh";

    /// <summary>How output is delivered. Default <see cref="OutputMode.Group"/>.</summary>
    public OutputMode Output { get; init; } = OutputMode.Group;

    /// <summary>Deliver jobs' output in input order, not in the order they end (<c>--keep-order</c>). Not with <see cref="OutputMode.LineBuffer"/>.</summary>
    public bool KeepOrder { get; init; }

    /// <summary>How long one attempt may run before its process group is ended (<c>--timeout</c>); <c>null</c> for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Between SIGTERM and SIGKILL when a job is ended (timeout, halt now, interrupt). Default 1 second.</summary>
    public TimeSpan TerminationGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Extra attempts for a failed job (<c>--retries</c>); 0 (the default) runs each job once.</summary>
    public int Retries { get; init; }

    /// <summary>When to stop early (<c>--halt</c>). Default <see cref="HaltPolicy.Never"/>.</summary>
    public HaltPolicy Halt { get; init; } = HaltPolicy.Never;

    /// <summary>A file that gets one line per finished job, in GNU parallel's tab-separated --joblog format; <c>null</c> for none.</summary>
    public string? JobLogPath { get; init; }

    /// <summary>Where jobs' stdout (and JSON lines) go. Default this process's standard output.</summary>
    public Stream? StandardOutput { get; init; }

    /// <summary>Where jobs' stderr goes. Default this process's standard error.</summary>
    public Stream? StandardError { get; init; }

    /// <summary>Called once per job when it has ended for good (after retries) and its output was delivered; for progress displays. Runs on a thread-pool thread.</summary>
    public Action<JobResult>? JobCompleted { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Jobs, 1, nameof(Jobs));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(TerminationGrace, TimeSpan.Zero, nameof(TerminationGrace));
        if (Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(Timeout));
        }

        ArgumentNullException.ThrowIfNull(Halt, nameof(Halt));
        ArgumentException.ThrowIfNullOrEmpty(ShellPath, nameof(ShellPath));
        if (KeepOrder && Output == OutputMode.LineBuffer)
        {
            throw new ArgumentException("KeepOrder and LineBuffer output cannot be combined: a line-buffered job writes while it runs.", nameof(KeepOrder));
        }
    }
}
