using System.Diagnostics;
using PosixProcs.SharedMemory;

namespace PosixProcs.Labs;

/// <summary>
/// multiprocessing.Value / Array / Lock / Semaphore across real processes: two forked children
/// add to one shared counter with a plain read-modify-write (updates get lost), with an atomic
/// add and under a <see cref="SharedLock"/> (none lost); then the seeds' semaphore example,
/// five children through a two-permit <see cref="SharedSemaphore"/>; then a lock whose holder
/// is killed, taken over with <see cref="LockAcquisition.OwnerDied"/>.
/// </summary>
public sealed class SharedLab : Lab
{
    private const int Adders = 2;
    private const int Increments = 10_000_000;
    private const int LockedIncrements = 50_000;
    private const int RaceAttempts = 5;
    private const int SemaphoreChildren = 5;
    private const int Permits = 2;
    private static readonly TimeSpan HoldTime = TimeSpan.FromMilliseconds(80);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    // Region layout: each piece on its own 64-byte line.
    private const long CounterOffset = 0;
    private const long ReadyOffset = 64;
    private const long LockOffset = 128;
    private const long SemaphoreOffset = 192;
    private const long InsideOffset = 256;
    private const long MaxInsideOffset = 320;
    private const long LoopTicksOffset = 384;
    private const long EnteredOffset = 448;
    private const long EventsOffset = 512;
    private const long RegionLength = 4096;

    /// <inheritdoc/>
    public override string Name => "shared";

    /// <inheritdoc/>
    public override string Title => "shared memory: Value, Array, Lock and Semaphore across processes";

    /// <inheritdoc/>
    public override string Claim => "Processes that share memory race like threads: a plain read-modify-write of a shared counter loses updates, while an atomic add or a SharedLock around it keeps every one, and a two-permit SharedSemaphore lets exactly two of five processes in at once.";

    /// <inheritdoc/>
    public override string Summary => "lost updates with plain read-modify-write vs atomic Add vs SharedLock; a 2-permit semaphore over 5 children; a lock whose holder is killed (OwnerDied)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Run the racy variant with one adder, or under `taskset -c 0`: are updates still lost? (yes, less: a preemption between read and write is enough)",
        "Change the semaphore to 3 permits and predict the measured maximum before re-running.",
        "In Python: multiprocessing.Value('l', 0, lock=False) with `v.value += 1` in two processes loses updates the same way; `with v.get_lock():` fixes it.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RegionLength);
        var counter = new SharedValue<long>(region, CounterOffset);
        var ready = new SharedValue<int>(region, ReadyOffset);
        var loopTicks = new SharedArray<long>(region, Adders, LoopTicksOffset);
        SharedLock sharedLock = SharedLock.Create(region, LockOffset);
        long expected = (long)Adders * Increments;

        recorder.Step($"1. Value: {Adders} forked children each add 1 to one shared long {Increments:N0} times, starting together at a shared gate. Expected total: {expected:N0}.");
        RaceOutcome racy = default;
        int attempts = 0;
        var racyTotals = new List<long>();
        while (attempts < RaceAttempts)
        {
            attempts++;
            racy = Race(children, counter, ready, loopTicks, Increments, () =>
            {
                counter.Value = counter.Value + 1; // read, add, write: another process can write in between
                return true;
            });
            racyTotals.Add(racy.Total);
            if (racy.Total < expected)
            {
                break;
            }
        }

        RaceOutcome atomic = Race(children, counter, ready, loopTicks, Increments, () =>
        {
            counter.Add(1);
            return true;
        });
        long lockedExpected = (long)Adders * LockedIncrements;
        RaceOutcome locked = Race(children, counter, ready, loopTicks, LockedIncrements, () =>
        {
            if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return false;
            }

            counter.Value = counter.Value + 1;
            sharedLock.Release();
            return true;
        });

        recorder.Measure("adders", Adders, "processes", "children adding at once");
        recorder.Measure("incrementsPerChild", Increments, string.Empty, "additions per child");
        recorder.Measure("expectedTotal", expected, string.Empty, "the total if no update is lost");
        long racyTotal = recorder.Measure("racyTotal", racy.Total, string.Empty, "plain read-modify-write (counter.Value = counter.Value + 1): the total");
        long lost = recorder.Measure("lostUpdates", expected - racy.Total, "updates", "plain read-modify-write: updates lost");
        recorder.Measure("raceAttempts", attempts, string.Empty, $"runs of the racy variant (at most {RaceAttempts}; stops at the first loss)");
        recorder.Measure("racyTotalsByAttempt", string.Join(", ", racyTotals), "the plain variant's total in each run (a run whose two loops did not overlap loses nothing)");
        recorder.Measure("racyMs", racy.Milliseconds, "ms", "plain: the slower child's loop");
        recorder.Measure("racyNsPerAdd", racy.NanosecondsEach, "ns", "plain: per addition");
        long atomicTotal = recorder.Measure("atomicTotal", atomic.Total, string.Empty, "atomic Add (lock xadd on the shared page): the total");
        recorder.Measure("atomicMs", atomic.Milliseconds, "ms", "atomic: the slower child's loop");
        recorder.Measure("atomicNsPerAdd", atomic.NanosecondsEach, "ns", "atomic: per addition");
        recorder.Measure("lockedIncrementsPerChild", LockedIncrements, string.Empty, "additions per child under the lock (fewer: each may sleep on a futex)");
        recorder.Measure("lockedExpectedTotal", lockedExpected, string.Empty, "the locked variant's total if no update is lost");
        long lockedTotal = recorder.Measure("lockedTotal", locked.Total, string.Empty, "SharedLock around the read-modify-write: the total");
        recorder.Measure("lockedMs", locked.Milliseconds, "ms", "locked: the slower child's loop");
        recorder.Measure("lockedNsPerAdd", locked.NanosecondsEach, "ns", "locked: per addition (acquire + read-modify-write + release)");

        recorder.Step($"2. Semaphore (the seeds' example): {SemaphoreChildren} children share a SharedSemaphore of {Permits} permits; each holds it until the other permit is taken too (or nobody is left waiting), then {HoldTime.TotalMilliseconds:0} ms more, and records in a SharedArray when it enters and leaves.");
        Concurrency concurrency = SemaphoreRun(children, region);
        long maxFromEvents = recorder.Measure("maxConcurrentFromEvents", concurrency.FromEvents, "processes", "most children inside at once, from the recorded enter/leave times");
        long maxFromCounter = recorder.Measure("maxConcurrentFromCounter", concurrency.FromCounter, "processes", "most children inside at once, from a shared atomic counter of who is inside");
        long entered = recorder.Measure("semaphoreEntries", concurrency.Entries, string.Empty, "children that got in and left");
        recorder.Measure("semaphorePermits", Permits, string.Empty, "the semaphore's permits");
        recorder.Measure("semaphoreMs", concurrency.Milliseconds, "ms", $"all {SemaphoreChildren} through (≈ ceil({SemaphoreChildren}/{Permits}) × {HoldTime.TotalMilliseconds:0} ms)");

        recorder.Step("3. Lock: a child takes the SharedLock and is killed with SIGKILL while holding it; once it is reaped, the parent acquires.");
        (string holderStatus, LockAcquisition takeover, long ownerBefore, long holderPid) = OwnerDiedRun(children, sharedLock);
        recorder.Measure("holderStatus", holderStatus, "the holder, reaped");
        recorder.Measure("holderPid", holderPid, string.Empty, "the holder's pid");
        recorder.Measure("ownerBeforeTakeover", ownerBefore, string.Empty, "the lock's owner (pid in the lock word) before the parent acquired");
        recorder.Measure("takeover", takeover.ToString(), "what TryAcquire told the next acquirer");

        recorder.Check("plainLosesUpdates", $"plain read-modify-write: {racyTotal:N0} of {expected:N0}, {lost:N0} updates lost", racyTotal < expected && racyTotal > 0);
        recorder.Check("atomicKeepsAll", $"atomic Add: {atomicTotal:N0} of {expected:N0} ({atomic.NanosecondsEach:0.#} ns per addition vs plain {racy.NanosecondsEach:0.#} ns)", atomicTotal == expected);
        recorder.Check("lockKeepsAll", $"SharedLock: {lockedTotal:N0} of {lockedExpected:N0} ({locked.NanosecondsEach:0.#} ns per addition: a contended lock costs more than an atomic)", lockedTotal == lockedExpected);
        recorder.Check("semaphoreLimits", $"at most {maxFromEvents} (enter/leave times) and {maxFromCounter} (counter) of {SemaphoreChildren} children were inside a {Permits}-permit semaphore, all {entered} got through", maxFromEvents == Permits && maxFromCounter == Permits && entered == SemaphoreChildren);
        recorder.Check("ownerDiedReported", $"the holder {holderPid} was {holderStatus} while holding the lock (owner {ownerBefore}); the next acquirer got {takeover}", takeover == LockAcquisition.OwnerDied && ownerBefore == holderPid);
        recorder.Evidence = $"plain {racyTotal:N0}/{expected:N0} ({lost:N0} lost); atomic {atomicTotal:N0}; locked {lockedTotal:N0}/{lockedExpected:N0}; semaphore({Permits}) max inside {maxFromEvents} of {SemaphoreChildren}; killed holder → {takeover}";
    }

    private static RaceOutcome Race(Children children, SharedValue<long> counter, SharedValue<int> ready, SharedArray<long> loopTicks, int increments, Func<bool> increment)
    {
        // Once here first: the increment is compiled before the fork, not separately in each child.
        _ = increment();
        counter.Value = 0;
        ready.Exchange(0);
        var pids = new Pid[Adders];
        for (int c = 0; c < Adders; c++)
        {
            int index = c;
            pids[c] = children.Fork(() =>
            {
                // The gate: both children start their loops together, so the loops overlap.
                ready.Add(1);
                long gate = LabIo.Deadline(ChildTimeout);
                while (ready.Read() < Adders)
                {
                    if (LabIo.Remaining(gate) == TimeSpan.Zero)
                    {
                        return 2;
                    }

                    Thread.SpinWait(20);
                }

                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < increments; i++)
                {
                    if (!increment())
                    {
                        return 3;
                    }
                }

                loopTicks[index] = Stopwatch.GetTimestamp() - start;
                return 0;
            });
        }

        foreach (Pid pid in pids)
        {
            WaitStatus status = children.Wait(pid, ChildTimeout);
            if (!status.IsSuccess)
            {
                throw new InvalidOperationException($"adder {pid} {status}");
            }
        }

        double ms = Math.Max(loopTicks[0], loopTicks[1]) * 1000.0 / Stopwatch.Frequency;
        return new RaceOutcome(counter.Read(), ms, ms * 1_000_000.0 / increments);
    }

    private static Concurrency SemaphoreRun(Children children, SharedMemoryRegion region)
    {
        SharedSemaphore semaphore = SharedSemaphore.Create(region, Permits, Permits, SemaphoreOffset);
        var inside = new SharedValue<int>(region, InsideOffset);
        var maxInside = new SharedValue<int>(region, MaxInsideOffset);
        var entered = new SharedValue<int>(region, EnteredOffset);
        var events = new SharedArray<long>(region, 2 * SemaphoreChildren, EventsOffset); // [2i] enter, [2i + 1] leave
        long start = Stopwatch.GetTimestamp();
        var pids = new Pid[SemaphoreChildren];
        for (int c = 0; c < SemaphoreChildren; c++)
        {
            int index = c;
            pids[c] = children.Fork(() =>
            {
                if (!semaphore.Wait(ChildTimeout))
                {
                    return 2;
                }

                events.Exchange(2 * index, Stopwatch.GetTimestamp());
                int now = inside.Add(1);
                entered.Add(1);
                int seen = maxInside.Read();
                while (now > seen && maxInside.CompareExchange(now, seen) != seen)
                {
                    seen = maxInside.Read();
                }

                // Hold the permit until the other one is taken too, or nobody is left to take it:
                // then two are inside at once on any load, not only when the scheduler overlaps them.
                long until = LabIo.Deadline(ChildTimeout);
                while (inside.Read() < Permits && entered.Read() < SemaphoreChildren && LabIo.Remaining(until) > TimeSpan.Zero)
                {
                    Thread.Sleep(1);
                }

                Thread.Sleep(HoldTime);
                inside.Add(-1);
                events.Exchange((2 * index) + 1, Stopwatch.GetTimestamp());
                semaphore.Release();
                return 0;
            });
        }

        int entries = 0;
        foreach (Pid pid in pids)
        {
            if (children.Wait(pid, ChildTimeout).IsSuccess)
            {
                entries++;
            }
        }

        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        // Sweep the enter (+1) and leave (-1) times; at equal times a leave counts first (it was recorded before the release).
        var sweep = new List<(long Time, int Delta)>();
        for (int c = 0; c < SemaphoreChildren; c++)
        {
            if (events.Read(2 * c) != 0 && events.Read((2 * c) + 1) != 0)
            {
                sweep.Add((events.Read(2 * c), 1));
                sweep.Add((events.Read((2 * c) + 1), -1));
            }
        }

        int current = 0;
        int most = 0;
        foreach ((long _, int delta) in sweep.OrderBy(e => e.Time).ThenBy(e => e.Delta))
        {
            current += delta;
            most = Math.Max(most, current);
        }

        return new Concurrency(most, maxInside.Read(), entries, ms);
    }

    private static (string Status, LockAcquisition Takeover, long OwnerBefore, long HolderPid) OwnerDiedRun(Children children, SharedLock sharedLock)
    {
        using PipeEnds holding = Posix.Pipe();
        Pid holder = children.Fork(() =>
        {
            holding.Read.Dispose();
            if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            LabIo.WriteText(holding.Write, "holding\n");
            Posix.Kill(Pid.Current, Signal.SIGKILL); // dies holding the lock
            return 3;
        });
        holding.Write.Dispose();
        ReadOutcome said = LabIo.ReadToEnd(holding.Read, ChildTimeout);
        WaitStatus status = children.Wait(holder, ChildTimeout); // reaped: a zombie would still look alive
        long ownerBefore = sharedLock.Owner?.Value ?? 0;
        if (!said.Text.StartsWith("holding", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the holder never took the lock ({status})");
        }

        LockAcquisition takeover = sharedLock.TryAcquire(ChildTimeout);
        if (takeover != LockAcquisition.TimedOut)
        {
            sharedLock.Release();
        }

        return (status.ToString()!, takeover, ownerBefore, holder.Value);
    }

    private readonly record struct RaceOutcome(long Total, double Milliseconds, double NanosecondsEach);

    private readonly record struct Concurrency(int FromEvents, int FromCounter, int Entries, double Milliseconds);
}
