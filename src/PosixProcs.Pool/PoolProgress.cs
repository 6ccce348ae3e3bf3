namespace PosixProcs.Pool;

/// <summary>A pool's counts at one moment.</summary>
/// <param name="Submitted">Tasks submitted so far.</param>
/// <param name="Completed">Tasks that returned a result.</param>
/// <param name="Failed">Tasks that threw, crashed their worker, timed out or were cancelled.</param>
/// <param name="WorkerStarts">Worker processes started, replacements included.</param>
/// <param name="WorkerStartFailures">Worker starts that failed (a refused fork, EAGAIN, EMFILE, a fork server that died); the pool retried them with backoff.</param>
public sealed record PoolProgress(long Submitted, long Completed, long Failed, long WorkerStarts, long WorkerStartFailures = 0)
{
    /// <summary>Tasks not finished yet.</summary>
    public long Pending => Submitted - Completed - Failed;
}
