namespace PosixProcs.Runner;

/// <summary>What a run did, and the exit status GNU parallel would give it.</summary>
public sealed class RunSummary
{
    /// <summary>The most failures the exit status counts: more give 101, as GNU parallel does.</summary>
    public const int MaximumCountedFailures = 101;

    /// <summary>Jobs started (each counted once, whatever its retries).</summary>
    public required long Started { get; init; }

    /// <summary>Jobs that exited 0.</summary>
    public required long Succeeded { get; init; }

    /// <summary>Jobs that failed after their last attempt.</summary>
    public required long Failed { get; init; }

    /// <summary>The job whose end reached the halt threshold; <c>null</c> if the run did not halt.</summary>
    public JobResult? HaltedBy { get; init; }

    /// <summary>The halt policy that stopped the run, if one did.</summary>
    public HaltPolicy? Halt { get; init; }

    /// <summary>The signal that interrupted the run (<see cref="ParallelRunner.Interrupt"/>), if one did.</summary>
    public Signal? InterruptedBy { get; init; }

    /// <summary>
    /// The exit status: 128 + the signal after an interrupt; after a fail halt, the failing
    /// job's own status; after a success or done halt, 0; otherwise the number of failed jobs,
    /// at most <see cref="MaximumCountedFailures"/>.
    /// </summary>
    public int ExitStatus => InterruptedBy is { } signal
        ? 128 + signal.Number
        : HaltedBy is { } job && Halt is { } halt
            ? (halt.Condition == HaltCondition.Fail ? Math.Max(1, job.ShellStatus) : 0)
            : (int)Math.Min(Failed, MaximumCountedFailures);
}
