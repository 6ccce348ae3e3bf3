using System.Diagnostics;
using PosixProcs.SharedMemory;

namespace PosixProcs.Labs;

/// <summary>
/// Producer/consumer over a <see cref="SharedQueue{T}"/> (Python's multiprocessing.Queue with a
/// None sentinel): forked producers put numbered items and then a sentinel; the consumer stops
/// after one sentinel per producer, having seen every item once, in each producer's order.
/// Then JoinableQueue: <see cref="SharedQueue{T}.Join"/> returns only once a forked worker has
/// called <see cref="SharedQueue{T}.TaskDone"/> for every item.
/// </summary>
public sealed class QueueLab : Lab
{
    private const int Producers = 3;
    private const int ItemsPerProducer = 20_000;
    private const int Sentinel = -1;
    private const int JoinItems = 40;
    private static readonly TimeSpan WorkPerItem = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan EarlyJoin = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public override string Name => "queue";

    /// <inheritdoc/>
    public override string Title => "queue: producers, a consumer, sentinels and Join";

    /// <inheritdoc/>
    public override string Claim => "A shared queue carries every item from several producer processes to a consumer exactly once and in each producer's order, a sentinel per producer tells the consumer when to stop, and Join returns only after every item was marked done.";

    /// <inheritdoc/>
    public override string Summary => "forked producers → SharedQueue → consumer with one sentinel per producer (exactly once, per-producer order, items/s); JoinableQueue TaskDone/Join";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Stop after the FIRST sentinel instead of one per producer: how many items are left behind?",
        "Make the queue's capacity 4 KiB (SharedQueueOptions.Capacity): producers now block on a full queue; how do items/s change?",
        "Forget one TaskDone in the worker: Join now times out (the lab bounds it; Python's join would hang).",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();

        recorder.Step($"1. Queue + sentinel: {Producers} forked producers each put items 0..{ItemsPerProducer - 1} and then a sentinel (sequence {Sentinel}, Python's None); the parent consumes until it has seen {Producers} sentinels.");
        Delivery delivery = ProduceAndConsume(children);
        long expected = (long)Producers * ItemsPerProducer;
        recorder.Measure("producers", Producers, "processes", "producer processes");
        recorder.Measure("itemsPerProducer", ItemsPerProducer, string.Empty, "items each producer put");
        long received = recorder.Measure("itemsReceived", delivery.Received, string.Empty, "items the consumer got (sentinels not counted)");
        long duplicates = recorder.Measure("duplicates", delivery.Duplicates, string.Empty, "items seen more than once");
        long missing = recorder.Measure("missing", delivery.Missing, string.Empty, "items never seen");
        long outOfOrder = recorder.Measure("outOfOrder", delivery.OutOfOrder, string.Empty, "items that came before an earlier item of the same producer");
        long sentinels = recorder.Measure("sentinelsSeen", delivery.Sentinels, string.Empty, "sentinels the consumer saw before stopping");
        long interleavings = recorder.Measure("producerSwitches", delivery.Switches, string.Empty, "times consecutive items came from different producers (the producers ran concurrently)");
        double rate = recorder.Measure("itemsPerSecond", delivery.Received / delivery.Seconds, "items/s", "through the queue, first fork to last sentinel");
        recorder.Measure("producerStatuses", delivery.Statuses, "the producers, reaped");

        recorder.Step($"2. JoinableQueue: the parent puts {JoinItems} items; a forked worker takes each, works {WorkPerItem.TotalMilliseconds:0} ms, counts it in shared memory and calls TaskDone. The parent tries Join({EarlyJoin.TotalMilliseconds:0} ms) first, then Join without hurry.");
        Joined joined = JoinRun(children);
        recorder.Measure("joinItems", JoinItems, string.Empty, "items put for the worker");
        bool early = recorder.Measure("earlyJoinReturned", joined.EarlyJoin, $"Join({EarlyJoin.TotalMilliseconds:0} ms) returned true while work was pending");
        recorder.Measure("unfinishedAtEarlyJoin", joined.UnfinishedAtEarlyJoin, string.Empty, "UnfinishedCount after that short Join");
        bool joinedInTime = recorder.Measure("joinReturned", joined.Returned, "Join returned true");
        long doneAtJoin = recorder.Measure("doneAtJoin", joined.DoneAtJoin, string.Empty, "items the worker had marked done when Join returned");
        recorder.Measure("unfinishedAtJoin", joined.UnfinishedAtJoin, string.Empty, "UnfinishedCount when Join returned");
        double afterLast = recorder.Measure("joinAfterLastTaskDoneMs", joined.AfterLastTaskDoneMs, "ms", "Join's return minus the worker's last TaskDone (never negative if Join waits)");
        recorder.Measure("joinWaitedMs", joined.WaitedMs, "ms", "how long the parent waited in Join");
        recorder.Measure("workerStatus", joined.WorkerStatus, "the worker, reaped after Close");

        recorder.Check("everyItemOnce", $"{received:N0} of {expected:N0} items arrived: {duplicates} duplicates, {missing} missing", received == expected && duplicates == 0 && missing == 0);
        recorder.Check("perProducerOrder", $"{outOfOrder} items out of their producer's order (the producers' items interleaved {interleavings:N0} times)", outOfOrder == 0);
        recorder.Check("oneSentinelPerProducer", $"the consumer stopped after {sentinels} sentinels from {Producers} producers, at {rate:N0} items/s", sentinels == Producers);
        recorder.Check("joinWaitsForTaskDone", $"Join({EarlyJoin.TotalMilliseconds:0} ms) {(early ? "returned early" : "did not return")} with {joined.UnfinishedAtEarlyJoin} unfinished; Join returned with {doneAtJoin} of {JoinItems} done, {afterLast:0.###} ms after the last TaskDone", !early && joinedInTime && doneAtJoin == JoinItems && joined.UnfinishedAtJoin == 0 && afterLast >= 0);
        recorder.Evidence = $"{received:N0}/{expected:N0} items once each, {outOfOrder} out of order, {sentinels} sentinels, {rate:N0} items/s; Join returned with {doneAtJoin}/{JoinItems} done";
    }

    private static Delivery ProduceAndConsume(Children children)
    {
        using SharedQueue<Item> queue = SharedQueue.Create<Item>();
        long start = Stopwatch.GetTimestamp();
        var pids = new Pid[Producers];
        for (int p = 0; p < Producers; p++)
        {
            int producer = p;
            pids[p] = children.Fork(() =>
            {
                for (int i = 0; i < ItemsPerProducer; i++)
                {
                    if (!queue.TryEnqueue(new Item(producer, i), ChildTimeout))
                    {
                        return 2;
                    }
                }

                return queue.TryEnqueue(new Item(producer, Sentinel), ChildTimeout) ? 0 : 3;
            });
        }

        int[] next = new int[Producers];
        var seen = new bool[Producers, ItemsPerProducer];
        long received = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long switches = 0;
        int sentinels = 0;
        int last = -1;
        while (sentinels < Producers)
        {
            if (!queue.TryDequeue(out Item item, ChildTimeout))
            {
                throw new TimeoutException($"no item for {ChildTimeout.TotalSeconds:0} s after {received} items and {sentinels} sentinels");
            }

            if (last >= 0 && item.Producer != last)
            {
                switches++;
            }

            last = item.Producer;
            if (item.Sequence == Sentinel)
            {
                sentinels++;
                continue;
            }

            received++;
            if (seen[item.Producer, item.Sequence])
            {
                duplicates++;
            }

            seen[item.Producer, item.Sequence] = true;
            if (item.Sequence < next[item.Producer])
            {
                outOfOrder++;
            }

            next[item.Producer] = item.Sequence + 1;
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var statuses = pids.Select(pid => children.Wait(pid, ChildTimeout).ToString()).ToList();
        long missing = 0;
        foreach (bool got in seen)
        {
            missing += got ? 0 : 1;
        }

        return new Delivery(received, duplicates, missing, outOfOrder, sentinels, switches, seconds, string.Join("; ", statuses.Distinct()));
    }

    private static Joined JoinRun(Children children)
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        using SharedMemoryRegion region = SharedMemoryRegion.Create(4096);
        var done = new SharedValue<long>(region, 0);
        var lastDone = new SharedValue<long>(region, 64);
        for (int i = 0; i < JoinItems; i++)
        {
            if (!queue.TryEnqueue(i, ChildTimeout))
            {
                throw new TimeoutException("the queue stayed full");
            }
        }

        Pid worker = children.Fork(() =>
        {
            while (queue.TryDequeue(out int _, ChildTimeout))
            {
                Thread.Sleep(WorkPerItem);
                done.Add(1);
                lastDone.Exchange(Stopwatch.GetTimestamp());
                queue.TaskDone();
            }

            return queue.IsClosed ? 0 : 2;
        });

        bool early = queue.Join(EarlyJoin);
        int unfinishedEarly = queue.UnfinishedCount;
        long start = Stopwatch.GetTimestamp();
        bool returned = queue.Join(ChildTimeout);
        long end = Stopwatch.GetTimestamp();
        long doneAtJoin = done.Read();
        int unfinished = queue.UnfinishedCount;
        double afterLastMs = (end - lastDone.Read()) * 1000.0 / Stopwatch.Frequency;
        queue.Close();
        WaitStatus status = children.Wait(worker, ChildTimeout);
        return new Joined(early, unfinishedEarly, returned, doneAtJoin, unfinished, afterLastMs, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds, status.ToString()!);
    }

    /// <summary>One item: who produced it and its number; <see cref="Sentinel"/> says "no more from me".</summary>
    private readonly record struct Item(int Producer, int Sequence);

    private sealed record Delivery(long Received, long Duplicates, long Missing, long OutOfOrder, int Sentinels, long Switches, double Seconds, string Statuses);

    private sealed record Joined(bool EarlyJoin, int UnfinishedAtEarlyJoin, bool Returned, long DoneAtJoin, int UnfinishedAtJoin, double AfterLastTaskDoneMs, double WaitedMs, string WorkerStatus);
}
