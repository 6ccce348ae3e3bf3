namespace PosixProcs;

/// <summary>How an <see cref="OrphanReaper"/> works. Every property has a safe default.</summary>
public sealed class OrphanReaperOptions
{
    private readonly TimeSpan _gracePeriod = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _sweepInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Make this process a child subreaper (Linux PR_SET_CHILD_SUBREAPER), so orphaned
    /// descendants are re-parented to it rather than to init, and reaped here. Default true.
    /// A process that is PID 1 of its namespace (a container without an init) gets orphans
    /// anyway and can leave it on.
    /// </summary>
    public bool BecomeSubreaper { get; init; } = true;

    /// <summary>
    /// How long a child must have been a zombie before the reaper takes it (default 1 s). Code
    /// that owns its children and reaps them when they end (System.Diagnostics.Process does so
    /// on SIGCHLD) gets them first, with their exit codes, unless it is later than this.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan GracePeriod
    {
        get => _gracePeriod;
        init => _gracePeriod = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The grace period cannot be negative.");
    }

    /// <summary>
    /// How often the reaper looks without a SIGCHLD to wake it (default 5 s): signals of
    /// children that end together merge into one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan SweepInterval
    {
        get => _sweepInterval;
        init => _sweepInterval = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The sweep interval must be positive.");
    }

    /// <summary>Called (on a thread-pool thread) for each child the reaper reaped, with its pid and status. Default none.</summary>
    public Action<Pid, WaitStatus>? Reaped { get; init; }
}
