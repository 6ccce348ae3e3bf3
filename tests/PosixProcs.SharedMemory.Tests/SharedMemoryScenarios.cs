using System.Buffers.Binary;
using System.Globalization;
using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// Scenarios that fork and run managed code in the children: they run in a single-threaded
/// helper process and print <c>key=value</c> lines for the tests to check.
/// </summary>
public static class SharedMemoryScenarios
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);

    [Scenario]
    public static int AtomicAddFromTwoProcesses(string[] args)
    {
        int increments = int.Parse(args[0], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        var counters = new SharedArray<int>(region, 2);
        var wide = new SharedValue<long>(region, 64);
        Pid[] children = new Pid[2];
        for (int c = 0; c < children.Length; c++)
        {
            children[c] = Children.Fork(() =>
            {
                for (int i = 0; i < increments; i++)
                {
                    counters.Add(1, 1);
                    wide.Add(1);
                }

                return 0;
            });
        }

        for (int c = 0; c < children.Length; c++)
        {
            Console.WriteLine($"child{c}={Children.Reap(children[c], ChildTimeout)}");
        }

        Console.WriteLine($"total={counters.Read(1)}");
        Console.WriteLine($"total64={wide.Read()}");
        return 0;
    }

    /// <summary>
    /// <c>args[1]</c> producer processes write <c>args[0]</c> records each into one ring of
    /// mode <c>args[2]</c> and capacity <c>args[4]</c>, through <c>Write</c> (copy) or <c>Claim</c> (zero-copy) as
    /// <c>args[3]</c> says; this process consumes in batches and checks exactly-once delivery,
    /// per-producer order and checksums. Record: producer (4 bytes), sequence (8), a value
    /// derived from both (8), and a tail of 0..7 bytes, so that lengths vary and records wrap
    /// at every alignment.
    /// </summary>
    [Scenario]
    public static int ProducersOneConsumer(string[] args)
    {
        long perProducer = long.Parse(args[0], CultureInfo.InvariantCulture);
        int producerCount = int.Parse(args[1], CultureInfo.InvariantCulture);
        RingBufferProducers mode = Enum.Parse<RingBufferProducers>(args[2]);
        bool zeroCopy = args[3] == "claim";
        int capacity = int.Parse(args[4], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(capacity), new SharedMemoryOptions { Populate = true });
        RingBuffer ring = RingBuffer.Create(region, capacity, mode);
        var producers = new Pid[producerCount];
        for (int p = 0; p < producers.Length; p++)
        {
            int producer = p;
            producers[p] = Children.Fork(() =>
            {
                Span<byte> record = stackalloc byte[27];
                for (long sequence = 0; sequence < perProducer; sequence++)
                {
                    int length = 20 + (int)(sequence % 8);
                    BinaryPrimitives.WriteInt32LittleEndian(record, producer);
                    BinaryPrimitives.WriteInt64LittleEndian(record[4..], sequence);
                    BinaryPrimitives.WriteInt64LittleEndian(record[12..], Mix(producer, sequence));
                    record[20..length].Fill((byte)length);
                    bool written;
                    if (zeroCopy)
                    {
                        written = ring.Claim(1 + producer, length, TimeSpan.FromSeconds(30), out RingClaim claim);
                        if (written)
                        {
                            record[..length].CopyTo(claim.Span);
                            claim.Commit();
                        }
                    }
                    else
                    {
                        written = ring.Write(1 + producer, record[..length], TimeSpan.FromSeconds(30));
                    }

                    if (!written)
                    {
                        Console.Error.WriteLine($"producer {producer} timed out at {sequence}");
                        return 3;
                    }
                }

                return 0;
            });
        }

        long[] next = new long[producerCount];
        long[] checksum = new long[producerCount];
        long errors = 0;
        long total = 0;
        void Check(int type, ReadOnlySpan<byte> payload)
        {
            int producer = BinaryPrimitives.ReadInt32LittleEndian(payload);
            long sequence = BinaryPrimitives.ReadInt64LittleEndian(payload[4..]);
            long value = BinaryPrimitives.ReadInt64LittleEndian(payload[12..]);
            bool ok = producer >= 0 && producer < producerCount
                && type == producer + 1
                && sequence == next[producer]
                && payload.Length == 20 + (int)(sequence % 8)
                && value == Mix(producer, sequence)
                && payload[20..].IndexOfAnyExcept((byte)payload.Length) < 0;
            if (!ok)
            {
                if (errors++ < 5)
                {
                    Console.Error.WriteLine($"bad record: type {type} producer {producer} sequence {sequence} (expected {(producer >= 0 && producer < producerCount ? next[producer] : -1)}) length {payload.Length}");
                }

                return;
            }

            next[producer]++;
            checksum[producer] += value;
            total++;
        }

        while (total < producerCount * perProducer && errors == 0)
        {
            if (ring.Read(Check, TimeSpan.FromSeconds(30), maxRecords: 256) == 0)
            {
                Console.Error.WriteLine($"consumer timed out after {total} records");
                break;
            }
        }

        for (int p = 0; p < producers.Length; p++)
        {
            Console.WriteLine($"producer{p}={Children.Reap(producers[p], ChildTimeout)}");
            long expected = 0;
            for (long s = 0; s < perProducer; s++)
            {
                expected += Mix(p, s);
            }

            Console.WriteLine($"count{p}={next[p]}");
            Console.WriteLine($"checksum{p}={(checksum[p] == expected ? "match" : $"{checksum[p]} != {expected}")}");
        }

        Console.WriteLine($"errors={errors}");
        Console.WriteLine($"leftover={ring.TryRead((_, _) => { })}");
        return 0;
    }

    /// <summary>
    /// A producer process claims a record, writes half of it and is killed with SIGKILL; a
    /// second producer then writes a record behind it. The consumer times out, unblocks the
    /// dead record and receives the second producer's record.
    /// </summary>
    [Scenario]
    public static int DeadProducerMidRecord(string[] args)
    {
        const int Capacity = 4096;
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity) + 128);
        RingBuffer ring = RingBuffer.Create(region, Capacity, RingBufferProducers.Many);
        SharedEvent claimed = SharedEvent.Create(region, offset: RingBuffer.RequiredLength(Capacity));
        Pid dying = Children.Fork(() =>
        {
            if (!ring.TryClaim(5, 100, out RingClaim claim))
            {
                return 2;
            }

            claim.Span[..50].Fill(0xEE);
            claimed.Set();
            // Until killed; bounded, so that a parent that fails early leaves no orphan for long.
            Thread.Sleep(TimeSpan.FromSeconds(60));
            return 0;
        });

        Console.WriteLine($"claimed={claimed.Wait(TimeSpan.FromSeconds(30))}");
        Posix.Kill(dying, Signal.SIGKILL);
        Console.WriteLine($"dying={Children.Reap(dying, ChildTimeout)}");

        Pid healthy = Children.Fork(() => ring.Write(7, "after"u8, TimeSpan.FromSeconds(30)) ? 0 : 3);
        Console.WriteLine($"healthy={Children.Reap(healthy, ChildTimeout)}");

        var received = new List<string>();
        void Receive(int type, ReadOnlySpan<byte> payload) => received.Add($"{type}:{System.Text.Encoding.ASCII.GetString(payload)}");
        Console.WriteLine($"blockedRead={ring.Read(Receive, TimeSpan.FromMilliseconds(200))}");
        Console.WriteLine($"unblocked={ring.Unblock()}");
        Console.WriteLine($"readAfterUnblock={ring.Read(Receive, TimeSpan.FromSeconds(10))}");
        Console.WriteLine($"received={string.Join(',', received)}");
        Console.WriteLine($"secondUnblock={ring.Unblock()}");
        Console.WriteLine($"size={ring.Size}");
        return 0;
    }

    /// <summary>
    /// A process takes the lock, updates two counters that must stay equal, and is killed
    /// with SIGKILL while holding it. The next acquirer is told the owner died.
    /// </summary>
    [Scenario]
    public static int LockHolderKilled(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedEvent holding = SharedEvent.Create(region, offset: SharedLock.Size);
        var data = new SharedArray<long>(region, 2, 64);
        sharedLock.OwnerCheckInterval = TimeSpan.FromMilliseconds(20);
        Pid holder = Children.Fork(() =>
        {
            if (sharedLock.TryAcquire(TimeSpan.FromSeconds(30)) != LockAcquisition.Acquired)
            {
                return 2;
            }

            data[0]++;
            data[1]++;
            holding.Set();
            // Until killed; bounded, so that a parent that fails early leaves no orphan for long.
            Thread.Sleep(TimeSpan.FromSeconds(60));
            return 0;
        });

        Console.WriteLine($"holding={holding.Wait(TimeSpan.FromSeconds(30))}");
        Console.WriteLine($"ownerIsHolder={sharedLock.Owner == holder}");
        Console.WriteLine($"whileAlive={sharedLock.TryAcquire(TimeSpan.FromMilliseconds(100))}");
        Posix.Kill(holder, Signal.SIGKILL);
        Console.WriteLine($"holder={Children.Reap(holder, ChildTimeout)}");

        Console.WriteLine($"afterDeath={sharedLock.TryAcquire(TimeSpan.FromSeconds(30))}");
        Console.WriteLine($"ownerIsSelf={sharedLock.Owner == Pid.Current}");
        Console.WriteLine($"consistent={data[0] == data[1]}");
        data[0]++;
        data[1]++;
        sharedLock.Release();

        Pid next = Children.Fork(() =>
        {
            LockAcquisition acquisition = sharedLock.TryAcquire(TimeSpan.FromSeconds(30));
            bool consistent = data[0] == 2 && data[1] == 2;
            sharedLock.Release();
            return acquisition == LockAcquisition.Acquired && consistent ? 0 : 4;
        });
        Console.WriteLine($"next={Children.Reap(next, ChildTimeout)}");
        return 0;
    }

    /// <summary>
    /// A child takes the lock and is killed with SIGKILL, but not reaped: a zombie still
    /// answers kill(pid, 0), yet it is dead and the next acquirer must be told so.
    /// </summary>
    [Scenario]
    public static int LockHolderZombie(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedEvent holding = SharedEvent.Create(region, offset: SharedLock.Size);
        sharedLock.OwnerCheckInterval = TimeSpan.FromMilliseconds(20);
        Pid holder = Children.Fork(() =>
        {
            if (sharedLock.TryAcquire(TimeSpan.FromSeconds(30)) != LockAcquisition.Acquired)
            {
                return 2;
            }

            holding.Set();
            Thread.Sleep(TimeSpan.FromSeconds(60)); // until killed; bounded
            return 0;
        });

        Console.WriteLine($"holding={holding.Wait(TimeSpan.FromSeconds(30))}");
        Posix.Kill(holder, Signal.SIGKILL);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessInspector.State(holder.Value) != 'Z' && deadline.Elapsed < ChildTimeout)
        {
            Thread.Sleep(10);
        }

        Console.WriteLine($"zombie={ProcessInspector.State(holder.Value) == 'Z'}");
        Console.WriteLine($"existsForKill={Posix.ProcessExists(holder)}");
        Console.WriteLine($"afterDeath={sharedLock.TryAcquire(TimeSpan.FromSeconds(30))}");
        Console.WriteLine($"holder={Children.Reap(holder, ChildTimeout)}");
        return 0;
    }

    /// <summary>Two processes increment a plain (non-atomic) counter under the lock: no increment may be lost.</summary>
    [Scenario]
    public static int LockMutualExclusion(string[] args)
    {
        int increments = int.Parse(args[0], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedLock sharedLock = SharedLock.Create(region);
        var counter = new SharedValue<long>(region, 64);
        var outcomes = new SharedArray<int>(region, 3, 128);
        var children = new Pid[2];
        for (int c = 0; c < children.Length; c++)
        {
            children[c] = Children.Fork(() =>
            {
                for (int i = 0; i < increments; i++)
                {
                    LockAcquisition acquisition = sharedLock.TryAcquire(TimeSpan.FromSeconds(30));
                    outcomes.Add((int)acquisition, 1);
                    if (acquisition == LockAcquisition.TimedOut)
                    {
                        return 3;
                    }

                    // A read-modify-write that two unsynchronised processes would interleave.
                    long value = counter.Value;
                    counter.Value = value + 1;
                    sharedLock.Release();
                }

                return 0;
            });
        }

        for (int c = 0; c < children.Length; c++)
        {
            Console.WriteLine($"child{c}={Children.Reap(children[c], ChildTimeout)}");
        }

        Console.WriteLine($"total={counter.Value}");
        Console.WriteLine($"acquired={outcomes.Read((int)LockAcquisition.Acquired)}");
        Console.WriteLine($"ownerDied={outcomes.Read((int)LockAcquisition.OwnerDied)}");
        return 0;
    }

    /// <summary>A semaphore of 1 passed back and forth, and an event, across processes.</summary>
    [Scenario]
    public static int SemaphoreAndEventAcrossProcesses(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedSemaphore ping = SharedSemaphore.Create(region, 0, offset: 0);
        SharedSemaphore pong = SharedSemaphore.Create(region, 0, offset: 16);
        SharedEvent done = SharedEvent.Create(region, offset: 32);
        const int Rounds = 1000;
        Pid child = Children.Fork(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                if (!ping.Wait(TimeSpan.FromSeconds(30)))
                {
                    return 3;
                }

                pong.Release();
            }

            return done.Wait(TimeSpan.FromSeconds(30)) ? 0 : 4;
        });

        int rounds = 0;
        for (int i = 0; i < Rounds; i++)
        {
            ping.Release();
            if (!pong.Wait(TimeSpan.FromSeconds(30)))
            {
                break;
            }

            rounds++;
        }

        done.Set();
        Console.WriteLine($"rounds={rounds}");
        Console.WriteLine($"child={Children.Reap(child, ChildTimeout)}");
        return 0;
    }

    /// <summary>
    /// Two producer processes enqueue <c>args[0]</c> JSON messages each and then Join; this
    /// process dequeues and marks each done, so both Joins return.
    /// </summary>
    [Scenario]
    public static int QueueTwoProducersJoin(string[] args)
    {
        int perProducer = int.Parse(args[0], CultureInfo.InvariantCulture);
        using SharedQueue<QueueMessage> queue = SharedQueue.Create<QueueMessage>(new SharedQueueOptions { Capacity = 16 * 1024 });
        var producers = new Pid[2];
        for (int p = 0; p < producers.Length; p++)
        {
            int producer = p;
            producers[p] = Children.Fork(() =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    if (!queue.TryEnqueue(new QueueMessage(producer, i, $"item {i} of {producer}"), TimeSpan.FromSeconds(30)))
                    {
                        return 3;
                    }
                }

                return queue.Join(TimeSpan.FromSeconds(60)) ? 0 : 4;
            });
        }

        int[] next = new int[2];
        int received = 0;
        int errors = 0;
        while (received < 2 * perProducer && queue.TryDequeue(out QueueMessage? message, TimeSpan.FromSeconds(30)))
        {
            bool ok = message.Producer is 0 or 1 && message.Sequence == next[message.Producer] && message.Text == $"item {message.Sequence} of {message.Producer}";
            if (ok)
            {
                next[message.Producer]++;
            }
            else
            {
                errors++;
            }

            received++;
            queue.TaskDone();
        }

        for (int p = 0; p < producers.Length; p++)
        {
            Console.WriteLine($"producer{p}={Children.Reap(producers[p], ChildTimeout)}");
        }

        Console.WriteLine($"received={received}");
        Console.WriteLine($"errors={errors}");
        Console.WriteLine($"unfinished={queue.UnfinishedCount}");
        return 0;
    }

    /// <summary>A reader process sleeps on an empty queue with no timeout; this process closes the queue.</summary>
    [Scenario]
    public static int QueueCloseWakesReaderProcess(string[] args)
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedEvent started = SharedEvent.Create(region);
        Pid reader = Children.Fork(() =>
        {
            started.Set();
            bool got = queue.TryDequeue(out _, TimeSpan.FromSeconds(60));
            return !got && queue.IsClosed ? 0 : 3;
        });

        started.Wait(TimeSpan.FromSeconds(30));
        Thread.Sleep(50);
        queue.Close();
        Console.WriteLine($"reader={Children.Reap(reader, TimeSpan.FromSeconds(30))}");
        return 0;
    }

    /// <summary>
    /// A producer process claims an item's space in the queue's ring and is killed with SIGKILL
    /// before it publishes; a second producer enqueues behind it. The consumer must get past
    /// the dead producer's item to the live one's.
    /// </summary>
    [Scenario]
    public static int QueueProducerKilledMidItem(string[] args)
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        queue.StuckRecordTimeout = TimeSpan.FromMilliseconds(300);
        Pid dying = Children.Fork(() =>
        {
            RingBuffer ring = RingBuffer.Attach(queue.Region, SharedQueueLayout.RingOffset);
            if (!ring.TryClaim(SharedQueueLayout.ItemType, sizeof(int), out _))
            {
                return 2;
            }

            Posix.Kill(Pid.Current, Signal.SIGKILL); // mid-item: claimed, never published
            return 3;
        });
        Console.WriteLine($"dying={Children.Reap(dying, ChildTimeout)}");
        Pid live = Children.Fork(() => queue.TryEnqueue(42, TimeSpan.FromSeconds(30)) ? 0 : 4);
        Console.WriteLine($"live={Children.Reap(live, ChildTimeout)}");

        bool got = queue.TryDequeue(out int item, TimeSpan.FromSeconds(30));
        Console.WriteLine($"dequeued={got}:{item}");
        Console.WriteLine($"skipped={queue.SkippedRecords}");
        Console.WriteLine($"emptyAfter={!queue.TryDequeue(out _)}");
        return 0;
    }

    /// <summary>
    /// The documented limit: a unit held by a process that dies is not returned (a semaphore
    /// cannot know its holders); whoever knows it died gives it back with Release.
    /// </summary>
    [Scenario]
    public static int SemaphoreHolderKilled(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedSemaphore semaphore = SharedSemaphore.Create(region, initialCount: 1, maximumCount: 1);
        SharedEvent holding = SharedEvent.Create(region, offset: 64);
        Pid holder = Children.Fork(() =>
        {
            if (!semaphore.Wait(TimeSpan.FromSeconds(30)))
            {
                return 2;
            }

            holding.Set();
            Thread.Sleep(TimeSpan.FromSeconds(60)); // until killed; bounded
            return 0;
        });

        Console.WriteLine($"holding={holding.Wait(TimeSpan.FromSeconds(30))}");
        Posix.Kill(holder, Signal.SIGKILL);
        Console.WriteLine($"holder={Children.Reap(holder, ChildTimeout)}");
        Console.WriteLine($"countAfterDeath={semaphore.CurrentCount}");
        Console.WriteLine($"waitAfterDeath={semaphore.Wait(TimeSpan.FromMilliseconds(200))}");
        semaphore.Release();
        Console.WriteLine($"waitAfterRelease={semaphore.Wait(TimeSpan.FromSeconds(30))}");
        return 0;
    }

    /// <summary>A message with a string, serialized as JSON by <see cref="SharedQueue{T}"/>.</summary>
    public sealed record QueueMessage(int Producer, int Sequence, string Text);

    /// <summary>
    /// Two processes pass a barrier <c>args[0]</c> times; each writes its phase number before
    /// arriving, and after the barrier checks that the other has reached the same phase.
    /// </summary>
    [Scenario]
    public static int BarrierAcrossProcesses(string[] args)
    {
        int phases = int.Parse(args[0], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedBarrier barrier = SharedBarrier.Create(region, 2);
        var reached = new SharedArray<int>(region, 2, 64);
        var outOfStep = new SharedValue<int>(region, 128);
        int Run(int self)
        {
            for (int phase = 1; phase <= phases; phase++)
            {
                reached.Exchange(self, phase);
                if (!barrier.SignalAndWait(TimeSpan.FromSeconds(30)))
                {
                    return 3;
                }

                if (reached.Read(1 - self) < phase)
                {
                    outOfStep.Add(1);
                }
            }

            return 0;
        }

        Pid child = Children.Fork(() => Run(1));
        int own = Run(0);
        Console.WriteLine($"child={Children.Reap(child, ChildTimeout)}");
        Console.WriteLine($"own={own}");
        Console.WriteLine($"phases={barrier.CurrentPhase}");
        Console.WriteLine($"outOfStep={outOfStep.Read()}");
        return 0;
    }

    /// <summary>
    /// Run as a spawned program (not forked): attaches the shared memory passed as descriptor
    /// <c>args[0]</c> with length <c>args[1]</c> and adds 1 to the long at offset 0.
    /// </summary>
    [Scenario]
    public static int AttachByDescriptor(string[] args)
    {
        int fd = int.Parse(args[0], CultureInfo.InvariantCulture);
        long length = long.Parse(args[1], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Attach(new FileDescriptorHandle(fd, ownsHandle: true), length);
        new SharedValue<long>(region).Add(1);
        return 0;
    }

    private static long Mix(int producer, long sequence) => unchecked(sequence * (long)0x9E37_79B9_7F4A_7C15UL) ^ ((long)producer << 56);
}
