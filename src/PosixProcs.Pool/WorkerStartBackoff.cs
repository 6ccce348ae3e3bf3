namespace PosixProcs.Pool;

/// <summary>
/// How often the dispatcher tries again to start workers that failed to start (a refused
/// fork, <c>fork: EAGAIN</c>, EMFILE, a fork server that died and must be spawned again):
/// exponential backoff from <see cref="FirstDelay"/> to <see cref="MaxDelay"/>. After
/// <see cref="MaxConsecutiveFailures"/> failures in a row with no worker alive, the pool gives
/// up and faults with the last failure as its reason; while some worker lives, it keeps
/// serving and keeps trying at the slowest pace.
/// </summary>
internal sealed class WorkerStartBackoff
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    public const int MaxConsecutiveFailures = 8;

    private int _consecutive;
    private long _total;

    /// <summary>When the next start may be tried (Environment.TickCount64); 0 when at once.</summary>
    public long NextAttemptAt { get; private set; }

    /// <summary>Failed starts since the pool started.</summary>
    public long TotalFailures => Interlocked.Read(ref _total);

    public bool MayAttempt(long now) => now >= NextAttemptAt;

    public void Succeeded()
    {
        _consecutive = 0;
        NextAttemptAt = 0;
    }

    /// <summary>Records a failure; true when the pool should give up (if no worker lives).</summary>
    public bool Failed(long now)
    {
        Interlocked.Increment(ref _total);
        _consecutive++;
        double delay = Math.Min(MaxDelay.TotalMilliseconds, FirstDelay.TotalMilliseconds * Math.Pow(2, _consecutive - 1));
        NextAttemptAt = now + (long)delay;
        return _consecutive >= MaxConsecutiveFailures;
    }
}
