namespace PosixProcs.Pool;

/// <summary>
/// Tasks queued to a worker but not started, taken back through the worker's claim word
/// (<see cref="TaskClaim"/>): for cancellation, for shutdown with cancelPending, and to
/// share a busy worker's queue with an idle one.
/// </summary>
internal sealed partial class PoolDispatcher
{
    /// <summary>
    /// Takes back every task queued to <paramref name="worker"/> that has not started (see
    /// <see cref="TaskClaim"/>): the worker will skip them. Returns them, oldest first.
    /// </summary>
    private List<PoolTask> TakeBackUnstarted(WorkerSlot worker)
    {
        var taken = new List<PoolTask>();
        if (worker.Process is null || worker.SentSequence == 0)
        {
            return taken;
        }

        long started = worker.Claim.TakeBackUnstarted(worker.SentSequence);
        if (started >= worker.SentSequence)
        {
            return taken;
        }

        var kept = new List<PoolTask>(worker.Assigned.Count);
        foreach (PoolTask task in worker.Assigned)
        {
            (task.WorkerSequence > started ? taken : kept).Add(task);
        }

        worker.Assigned.Clear();
        foreach (PoolTask task in kept)
        {
            worker.Assigned.Enqueue(task);
        }

        foreach (PoolTask task in taken)
        {
            _byId.Remove(task.Id);
        }

        worker.TasksHanded -= taken.Count;
        return taken;
    }

    /// <summary>Puts tasks back at the head of the queue, in their order, skipping finished ones and cancelling withdrawn ones.</summary>
    private void Requeue(List<PoolTask> tasks)
    {
        for (int i = tasks.Count - 1; i >= 0; i--)
        {
            if (tasks[i].CancelRequested)
            {
                Cancel(tasks[i]); // withdrawn while queued to the worker
            }
            else if (!tasks[i].IsFinished)
            {
                _pending.AddFirst(tasks[i]);
            }
        }
    }

    /// <summary>
    /// An idle worker with nothing left to assign takes back the queue of the busiest worker
    /// whose current task has run a while, and the queue is shared out again. Without this a
    /// worker that got a full pipeline (while the other was being forked, say) would run all
    /// of it while the other sat idle: 16 of 20 one-second tasks on one of two workers.
    /// </summary>
    private void Rebalance()
    {
        if (_pending.Count > 0 || _shutdown && _cancelPendingOnShutdown)
        {
            return;
        }

        long now = Environment.TickCount64;
        foreach (WorkerSlot idle in _workers)
        {
            if (!idle.Ready || !idle.IsIdle || !HasRoom(idle))
            {
                continue;
            }

            WorkerSlot? victim = _workers
                .Where(w => w != idle && w.Ready && w.KilledBecause is null && w.Assigned.Count > 1 && now - w.HeadStartedAt >= (long)StealAfter.TotalMilliseconds &&
                            w.Assigned.Skip(1).Any(t => Knows(idle, t.DelegateId)))
                .MaxBy(w => w.Assigned.Count);
            if (victim is null)
            {
                return;
            }

            List<PoolTask> taken = TakeBackUnstarted(victim);
            if (taken.Count == 0)
            {
                return;
            }

            Requeue(taken);
            Assign();
            return;
        }
    }

    /// <summary>When the worker's current task started, as seen through its claim word; null if none has started.</summary>
    private static long? RunningSince(WorkerSlot worker, long now)
    {
        if (!worker.Ready || !worker.Assigned.TryPeek(out PoolTask? head))
        {
            return null;
        }

        if (head.StartedAt == 0 && worker.Claim.Started >= head.WorkerSequence)
        {
            head.StartedAt = now;
        }

        return head.StartedAt == 0 ? null : head.StartedAt;
    }
}
