using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>The parent's view of one worker position: its process, its request ring and the tasks queued to it, oldest first.</summary>
internal sealed class WorkerSlot(int index, RingBuffer requests, TaskClaim claim)
{
    public int Index { get; } = index;

    public RingBuffer Requests { get; set; } = requests;

    public IWorkerProcess? Process { get; set; }

    /// <summary>The shared word through which tasks queued to this worker are started or taken back.</summary>
    public TaskClaim Claim { get; } = claim;

    /// <summary>The number given to the last task written to this worker's ring (1, 2, 3... per worker process).</summary>
    public long SentSequence { get; set; }

    /// <summary>When a retiring worker that has not exited is killed (Environment.TickCount64).</summary>
    public long RetireDeadline { get; set; }

    /// <summary>Functions defined to this worker by message (workers that are not forked).</summary>
    public HashSet<int> Defined { get; } = [];

    /// <summary>Tasks written to the ring and not answered yet; the first is the one running.</summary>
    public Queue<PoolTask> Assigned { get; } = new();

    /// <summary>Delegate ids below this existed when the worker was forked.</summary>
    public int KnownDelegates { get; set; }

    /// <summary>Tasks handed to this worker since it was forked (for MaxTasksPerWorker).</summary>
    public int TasksHanded { get; set; }

    /// <summary>When the first assigned task started running (Environment.TickCount64).</summary>
    public long HeadStartedAt { get; set; }

    /// <summary>Why the pool killed it, if it did: the head task fails with this instead of a crash.</summary>
    public Exception? KilledBecause { get; set; }

    /// <summary>When the worker was launched (Environment.TickCount64), for the start-up time limit.</summary>
    public long LaunchedAt { get; set; }

    /// <summary>The worker has started up (its Ready record arrived): task time limits run from here.</summary>
    public bool Ready { get; set; }

    /// <summary>Told to stop (recycling); gets no new tasks.</summary>
    public bool Retiring { get; set; }

    public bool IsIdle => Assigned.Count == 0;
}
