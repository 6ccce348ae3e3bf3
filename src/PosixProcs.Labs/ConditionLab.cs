using System.Diagnostics;
using PosixProcs.SharedMemory;

namespace PosixProcs.Labs;

/// <summary>
/// multiprocessing.Condition across real processes: a forked producer hands items one at a
/// time through a one-slot mailbox in shared memory to a forked consumer that waits on a
/// <see cref="SharedCondition"/> ("not empty") under a <see cref="SharedLock"/>. The consumer
/// counts its wake-ups and measures its own CPU time; then the same hand-off with a consumer
/// that polls the mailbox instead, for comparison.
/// </summary>
public sealed class ConditionLab : Lab
{
    private const int Items = 300;
    private static readonly TimeSpan ProducerPause = TimeSpan.FromMilliseconds(1);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    // Region layout: the lock and both conditions, then the mailbox and the counters as longs.
    private const long LockOffset = 0;
    private const long NotEmptyOffset = 64;
    private const long NotFullOffset = 128;
    private const long StateOffset = 192;
    private const long RegionLength = 4096;

    private const int Full = 0;
    private const int Item = 1;
    private const int Notifications = 2;
    private const int WakeUps = 3;
    private const int Timeouts = 4;
    private const int Received = 5;
    private const int OutOfOrder = 6;
    private const int EmptyChecks = 7;
    private const int CpuMicroseconds = 8;
    private const int WallMicroseconds = 9;
    private const int VoluntarySwitches = 10;
    private const int StateLength = 11;

    /// <inheritdoc/>
    public override string Name => "condition";

    /// <inheritdoc/>
    public override string Title => "condition: wait and notify between processes";

    /// <inheritdoc/>
    public override string Claim => "A consumer process that waits on a shared condition sleeps until the producer process notifies it: every item arrives once and in order, each notification ends exactly one wait (wake-ups = notifications ≤ items), and the consumer's CPU time stays a small share of the hand-off's time, unlike a consumer that polls.";

    /// <inheritdoc/>
    public override string Summary => "forked producer → one-slot mailbox → forked consumer waiting on a SharedCondition: wake-ups per item, consumer CPU vs wall time; the same with a polling consumer";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Let two consumers wait and have the producer call NotifyAll instead of Notify: count the wake-ups that find the mailbox already empty (why Python's docs tell you to loop on the predicate).",
        "Remove the producer's pause: the consumer now often finds an item without waiting; how do wake-ups per item change?",
        "In Python: cond = multiprocessing.Condition(); with cond: cond.wait_for(lambda: box.value != 0) in one process, with cond: box.value = 1; cond.notify() in another.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        WarmUp();

        recorder.Step($"1. Wait and notify: a forked producer puts items 0..{Items - 1} in a one-slot mailbox, pausing {ProducerPause.TotalMilliseconds:0} ms before each, and calls Notify on \"not empty\"; a forked consumer takes them, calling Wait while the mailbox is empty. Both hold one SharedLock around the mailbox. The consumer counts the waits that returned (wake-ups) and measures its CPU time (getrusage).");
        HandOff waited = Run(children, polling: false);
        recorder.Measure("items", Items, string.Empty, "items the producer put");
        recorder.Measure("producerPauseMs", ProducerPause.TotalMilliseconds, "ms", "the producer's pause before each item");
        long received = recorder.Measure("received", waited.Received, string.Empty, "items the consumer took");
        long outOfOrder = recorder.Measure("outOfOrder", waited.OutOfOrder, string.Empty, "items that were not the one after the previous");
        long notifications = recorder.Measure("notifications", waited.Notifications, string.Empty, "waiters the producer's Notify calls reported notified");
        long wakeUps = recorder.Measure("wakeUps", waited.WakeUps, string.Empty, "consumer waits that returned notified");
        long timeouts = recorder.Measure("waitTimeouts", waited.Timeouts, string.Empty, $"consumer waits that ran out their {ChildTimeout.TotalSeconds:0} s bound");
        double perItem = recorder.Measure("wakeUpsPerItem", (double)waited.WakeUps / Items, string.Empty, "wake-ups per item handed over");
        double cpuMs = recorder.Measure("consumerCpuMs", waited.CpuMs, "ms", "the waiting consumer's CPU time (user + system) during the hand-off");
        double wallMs = recorder.Measure("consumerWallMs", waited.WallMs, "ms", "the waiting consumer's wall-clock time during the hand-off");
        double share = recorder.Measure("consumerCpuShare", waited.CpuMs / waited.WallMs, string.Empty, "CPU time / wall time of the waiting consumer (1 = a core busy all along)");
        recorder.Measure("consumerVoluntarySwitches", waited.VoluntarySwitches, string.Empty, "times the waiting consumer gave up the CPU to sleep (getrusage)");
        recorder.Measure("waitStatuses", waited.Statuses, "the producer and the consumer, reaped");

        recorder.Step("2. The same hand-off with a consumer that polls instead: it takes the lock, looks, lets go and yields (Thread.Yield), again and again, until an item is there.");
        HandOff polled = Run(children, polling: true);
        long polledReceived = recorder.Measure("pollReceived", polled.Received, string.Empty, "items the polling consumer took");
        long emptyChecks = recorder.Measure("pollEmptyChecks", polled.EmptyChecks, string.Empty, "times the polling consumer found the mailbox empty");
        double pollCpuMs = recorder.Measure("pollCpuMs", polled.CpuMs, "ms", "the polling consumer's CPU time during the hand-off");
        double pollWallMs = recorder.Measure("pollWallMs", polled.WallMs, "ms", "the polling consumer's wall-clock time during the hand-off");
        double pollShare = recorder.Measure("pollCpuShare", polled.CpuMs / polled.WallMs, string.Empty, "CPU time / wall time of the polling consumer");
        recorder.Measure("pollStatuses", polled.Statuses, "the producer and the polling consumer, reaped");

        recorder.Check("everyItemOnceInOrder", $"the waiting consumer took {received} of {Items} items, {outOfOrder} out of order; the polling one {polledReceived}, {polled.OutOfOrder} out of order", received == Items && outOfOrder == 0 && polledReceived == Items && polled.OutOfOrder == 0);
        recorder.Check("oneWakeUpPerNotification", $"{wakeUps} wake-ups for {notifications} notifications and {Items} items ({perItem:0.##} per item), {timeouts} timed-out waits", wakeUps == notifications && wakeUps <= Items && timeouts == 0);
        recorder.TimingCheck("consumerSleeps", $"the waiting consumer used {cpuMs:0.#} ms of CPU in {wallMs:0.#} ms ({share:P1}); below 25% means it slept between items", share < 0.25);
        recorder.TimingCheck("waitingCheaperThanPolling", $"waiting cost {cpuMs:0.#} ms of CPU, polling {pollCpuMs:0.#} ms in {pollWallMs:0.#} ms ({pollShare:P0}, {emptyChecks:N0} empty looks); waiting under a quarter of polling", cpuMs * 4 < pollCpuMs);
        recorder.Evidence = $"{received}/{Items} items in order; {wakeUps} wake-ups = {notifications} notifications; consumer CPU {cpuMs:0.#} ms in {wallMs:0.#} ms ({share:P1}) waiting vs {pollCpuMs:0.#} ms in {pollWallMs:0.#} ms ({pollShare:P0}) polling";
    }

    /// <summary>Compiles the lock, condition and getrusage paths before any fork, so the children do not JIT them on the clock.</summary>
    private static void WarmUp()
    {
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RegionLength);
        SharedLock sharedLock = SharedLock.Create(region, LockOffset);
        SharedCondition condition = SharedCondition.Create(region, NotEmptyOffset);
        var state = new SharedArray<long>(region, StateLength, StateOffset);
        if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
        {
            throw new TimeoutException("a fresh lock could not be taken");
        }

        state[Notifications] += condition.Notify();
        _ = condition.Wait(sharedLock, TimeSpan.Zero);
        sharedLock.Release();
        _ = Posix.GetResourceUsage();
    }

    private static HandOff Run(Children children, bool polling)
    {
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RegionLength);
        SharedLock sharedLock = SharedLock.Create(region, LockOffset);
        SharedCondition notEmpty = SharedCondition.Create(region, NotEmptyOffset);
        SharedCondition notFull = SharedCondition.Create(region, NotFullOffset);
        var state = new SharedArray<long>(region, StateLength, StateOffset);
        Pid consumer = children.Fork(() => polling ? Poll(sharedLock, notFull, state) : Consume(sharedLock, notEmpty, notFull, state));
        Pid producer = children.Fork(() => Produce(sharedLock, notEmpty, notFull, state));
        WaitStatus producerStatus = children.Wait(producer, ChildTimeout);
        WaitStatus consumerStatus = children.Wait(consumer, ChildTimeout);
        return new HandOff(
            state[Received],
            state[OutOfOrder],
            state[Notifications],
            state[WakeUps],
            state[Timeouts],
            state[EmptyChecks],
            state[CpuMicroseconds] / 1000.0,
            state[WallMicroseconds] / 1000.0,
            state[VoluntarySwitches],
            string.Join("; ", new[] { producerStatus.ToString(), consumerStatus.ToString() }.Distinct()));
    }

    private static int Produce(SharedLock sharedLock, SharedCondition notEmpty, SharedCondition notFull, SharedArray<long> state)
    {
        for (int i = 0; i < Items; i++)
        {
            Thread.Sleep(ProducerPause);
            if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            try
            {
                while (state[Full] != 0)
                {
                    if (!notFull.Wait(sharedLock, ChildTimeout))
                    {
                        return 3;
                    }
                }

                state[Item] = i;
                state[Full] = 1;
                state[Notifications] += notEmpty.Notify();
            }
            finally
            {
                sharedLock.Release();
            }
        }

        return 0;
    }

    private static int Consume(SharedLock sharedLock, SharedCondition notEmpty, SharedCondition notFull, SharedArray<long> state)
    {
        Usage start = Usage.Now();
        for (int expected = 0; expected < Items; expected++)
        {
            if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            try
            {
                // Loop on the predicate, as with every condition variable.
                while (state[Full] == 0)
                {
                    if (!notEmpty.Wait(sharedLock, ChildTimeout))
                    {
                        state[Timeouts]++;
                        return 3;
                    }

                    state[WakeUps]++;
                }

                Take(state, expected);
                notFull.Notify();
            }
            finally
            {
                sharedLock.Release();
            }
        }

        Usage.Now().Minus(start).Store(state);
        return 0;
    }

    private static int Poll(SharedLock sharedLock, SharedCondition notFull, SharedArray<long> state)
    {
        Usage start = Usage.Now();
        int expected = 0;
        while (expected < Items)
        {
            if (sharedLock.TryAcquire(ChildTimeout) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            bool took = state[Full] != 0;
            if (took)
            {
                Take(state, expected++);
                notFull.Notify();
            }
            else
            {
                state[EmptyChecks]++;
            }

            sharedLock.Release();
            if (!took)
            {
                Thread.Yield();
            }
        }

        Usage.Now().Minus(start).Store(state);
        return 0;
    }

    /// <summary>Empties the mailbox (the lock held), checking that its item is the one expected.</summary>
    private static void Take(SharedArray<long> state, int expected)
    {
        if (state[Item] != expected)
        {
            state[OutOfOrder]++;
        }

        state[Full] = 0;
        state[Received]++;
    }

    private sealed record HandOff(long Received, long OutOfOrder, long Notifications, long WakeUps, long Timeouts, long EmptyChecks, double CpuMs, double WallMs, long VoluntarySwitches, string Statuses);

    /// <summary>This process's CPU time, wall-clock timestamp and voluntary context switches.</summary>
    private readonly record struct Usage(TimeSpan Cpu, long Timestamp, long Switches)
    {
        public static Usage Now()
        {
            ResourceUsage usage = Posix.GetResourceUsage();
            return new Usage(usage.UserTime + usage.SystemTime, Stopwatch.GetTimestamp(), usage.VoluntaryContextSwitches);
        }

        public Usage Minus(Usage start) => new(Cpu - start.Cpu, Timestamp - start.Timestamp, Switches - start.Switches);

        public void Store(SharedArray<long> state)
        {
            state[CpuMicroseconds] = (long)Cpu.TotalMicroseconds;
            state[WallMicroseconds] = (long)(Timestamp * 1_000_000.0 / Stopwatch.Frequency);
            state[VoluntarySwitches] = Switches;
        }
    }
}
