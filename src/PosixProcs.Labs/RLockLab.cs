using PosixProcs.SharedMemory;

namespace PosixProcs.Labs;

/// <summary>
/// multiprocessing.RLock against multiprocessing.Lock: a reentrant lock in shared memory is
/// taken again by the thread that holds it (a recursion count), and another process gets it
/// only once every level is released; a plain lock taken twice by its holder waits for
/// itself: bounded, the second attempt times out; unbounded, the process is stuck for good
/// and only a kill ends it, after which the next acquirer is told the owner died.
/// </summary>
public sealed class RLockLab : Lab
{
    private const int Depth = 3;
    private static readonly TimeSpan SelfWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StuckLook = TimeSpan.FromMilliseconds(500);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    private const long PlainOffset = 0;
    private const long ReentrantOffset = 64;
    private const long RegionLength = 4096;

    /// <inheritdoc/>
    public override string Name => "rlock";

    /// <inheritdoc/>
    public override string Title => "rlock: a lock its holder may take again, and one it may not";

    /// <inheritdoc/>
    public override string Claim => "A reentrant shared lock taken 3 times by its holder counts 3 levels and passes to another process only after 3 releases; a plain shared lock taken twice by its holder waits for itself: with a timeout the second attempt fails, without one the process is stuck until killed, and the next acquirer is then told the owner died.";

    /// <inheritdoc/>
    public override string Summary => "SharedRLock taken 3× and released 3× then taken by a child; SharedLock taken twice: bounded (times out), unbounded in a child (stuck, killed, OwnerDied)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Release the reentrant lock only twice and let the child try: how long does it wait, and what does Owner say?",
        "Release the reentrant lock from another thread of the same process: what does it throw, and why is the owner a thread, not only a process?",
        "In Python: lock = multiprocessing.Lock(); lock.acquire(); lock.acquire(timeout=0.2) returns False; with multiprocessing.RLock() it returns True.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RegionLength);
        SharedLock plain = SharedLock.Create(region, PlainOffset);
        SharedRLock reentrant = SharedRLock.Create(region, ReentrantOffset);

        recorder.Step($"1. SharedRLock: this thread takes it {Depth} times (a function that calls itself with the lock held), then releases it level by level; a forked child then tries to take it.");
        var depths = new List<int>();
        var ownersWhileReleasing = new List<string>();
        TakeNested(reentrant, Depth, depths);
        for (int level = Depth; level >= 1; level--)
        {
            reentrant.Release();
            ownersWhileReleasing.Add(reentrant.Owner is { } owner ? (owner == Pid.Current ? "this process" : owner.ToString()) : "free");
        }

        WaitStatus childTook = children.Wait(children.Fork(() => TakeAndRelease(reentrant)), ChildTimeout);
        string depthText = recorder.Measure("recursionCounts", string.Join(" ", depths), "RecursionCount after each nested acquire");
        string ownersText = recorder.Measure("ownerAfterEachRelease", string.Join(", ", ownersWhileReleasing), "who held the reentrant lock after each release");
        string childText = recorder.Measure("childTookReentrant", childTook.ToString()!, "the child that took and released the reentrant lock afterwards (exit 0: it got it)");

        recorder.Step($"2. SharedLock (not reentrant): this thread takes it, then tries again with a {SelfWait.TotalMilliseconds:0} ms timeout.");
        LockAcquisition first = plain.TryAcquire(ChildTimeout);
        LockAcquisition second = plain.TryAcquire(SelfWait);
        plain.Release();
        recorder.Measure("plainFirst", first.ToString(), "the first acquire of the plain lock");
        string secondText = recorder.Measure("plainSecond", second.ToString(), $"the same thread's second acquire, bounded by {SelfWait.TotalMilliseconds:0} ms");

        recorder.Step($"3. The same mistake without a timeout, in a forked child: it takes the plain lock, says so on a pipe, then takes it again. The parent looks {StuckLook.TotalMilliseconds:0} ms later, kills it (SIGKILL), reaps it, and takes the lock.");
        Stuck stuck = StuckChild(children, plain);
        recorder.Measure("stuckChildState", stuck.State, "the child's state in /proc after the look (S: asleep in the futex wait)");
        bool aliveAfterLook = recorder.Measure("stuckChildAlive", stuck.Alive, "whether the child was still running after the look");
        recorder.Measure("stuckChildStatus", stuck.Status, "how the child ended");
        string takeover = recorder.Measure("takeoverAfterKill", stuck.Takeover.ToString(), "what the parent's acquire said after the kill");

        bool nestedCounted = depths.SequenceEqual(Enumerable.Range(1, Depth));
        recorder.Check("reentrantCountsLevels", $"RecursionCount went {depthText}; after each release the owner was {ownersText}", nestedCounted && ownersWhileReleasing.Take(Depth - 1).All(o => o == "this process") && ownersWhileReleasing[^1] == "free");
        recorder.Check("reentrantPassesOnAfterLastRelease", $"after {Depth} releases a child took it: {childText}", childTook == new WaitStatus.Exited(0));
        recorder.Check("plainLockWaitsForItself", $"the holder's second acquire of the plain lock: {secondText} (first: {first})", first == LockAcquisition.Acquired && second == LockAcquisition.TimedOut);
        recorder.Check("unboundedSelfDeadlockOnlyEndsByKill", $"the child was {(aliveAfterLook ? "still running" : "gone")} after {StuckLook.TotalMilliseconds:0} ms (state {stuck.State}), ended {stuck.Status}; the next acquirer got {takeover}", aliveAfterLook && stuck.Status == new WaitStatus.Signaled(Signal.SIGKILL, false).ToString() && stuck.Takeover == LockAcquisition.OwnerDied);
        recorder.TimingCheck("stuckChildSleeps", $"the stuck child's state was {stuck.State} (S: asleep, using no CPU, rather than spinning)", stuck.State == "S");
        recorder.Evidence = $"RLock counts {depthText} and frees after {Depth} releases (child: {childText}); a plain lock's second acquire by its holder: {secondText}; unbounded in a child: stuck ({stuck.State}), {stuck.Status}, then {takeover}";
    }

    private static void TakeNested(SharedRLock reentrant, int levels, List<int> depths)
    {
        if (levels == 0)
        {
            return;
        }

        if (reentrant.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
        {
            throw new TimeoutException("the reentrant lock could not be taken");
        }

        depths.Add(reentrant.RecursionCount);
        TakeNested(reentrant, levels - 1, depths);
    }

    private static int TakeAndRelease(SharedRLock reentrant)
    {
        if (reentrant.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
        {
            return 2;
        }

        reentrant.Release();
        return 0;
    }

    private static Stuck StuckChild(Children children, SharedLock plain)
    {
        using PipeEnds holding = Posix.Pipe();
        Pid child = children.Fork(() =>
        {
            holding.Read.Dispose();
            if (plain.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            Posix.WriteAll(holding.Write, [1]);
            plain.TryAcquire(Timeout.InfiniteTimeSpan); // waits for itself, for ever
            return 3;
        });
        holding.Write.Dispose();
        // One byte once it holds the lock: the child keeps its end open while it is stuck.
        Span<byte> said = stackalloc byte[1];
        if (LabIo.ReadExactly(holding.Read, said, ChildTimeout) != 1)
        {
            throw new InvalidOperationException($"the child never took the lock ({children.Wait(child, ChildTimeout)})");
        }

        WaitStatus? early = Children.WaitAtMost(child, StuckLook);
        string state = early is null ? (ProcFiles.State(child)?.ToString() ?? "?") : "ended";
        WaitStatus status = early ?? Kill(children, child);
        if (early is not null)
        {
            children.Reaped(child);
        }

        LockAcquisition takeover = plain.TryAcquire(ChildTimeout);
        if (takeover != LockAcquisition.TimedOut)
        {
            plain.Release();
        }

        return new Stuck(state, early is null, status.ToString()!, takeover);
    }

    private static WaitStatus Kill(Children children, Pid child)
    {
        Posix.Kill(child, Signal.SIGKILL);
        return children.Wait(child, ChildTimeout);
    }

    private sealed record Stuck(string State, bool Alive, string Status, LockAcquisition Takeover);
}
