using System.Globalization;
using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// Forking scenarios for <see cref="SharedRLock"/> and <see cref="SharedCondition"/>: they run
/// in a single-threaded helper process and print <c>key=value</c> lines for the tests to check.
/// </summary>
public static class ConditionScenarios
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This process takes the re-entrant lock three times; a child can neither take it nor
    /// release it; after three releases another child takes it.
    /// </summary>
    [Scenario]
    public static int RLockReentranceAcrossProcesses(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedRLock rlock = SharedRLock.Create(region, 8);
        var outcomes = new List<LockAcquisition>();
        for (int i = 0; i < 3; i++)
        {
            outcomes.Add(rlock.TryAcquire(TimeSpan.Zero));
        }

        Console.WriteLine($"outcomes={string.Join(',', outcomes)}");
        Console.WriteLine($"depth={rlock.RecursionCount}");

        // The forked child runs on a thread with the same managed id as the owner: only the
        // process tells them apart.
        Pid contender = Children.Fork(() =>
        {
            if (rlock.IsHeldByCurrentThread || rlock.RecursionCount != 0)
            {
                return 2;
            }

            if (rlock.TryAcquire(TimeSpan.FromMilliseconds(50)) != LockAcquisition.TimedOut)
            {
                return 3;
            }

            try
            {
                rlock.Release();
                return 4;
            }
            catch (SynchronizationLockException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ex.Message.Contains($"held by process {Pid.Current.Value}", StringComparison.Ordinal) ? 5 : 0;
            }
        });
        Console.WriteLine($"contender={Children.Reap(contender, ChildTimeout)}");

        rlock.Release();
        rlock.Release();
        Console.WriteLine($"heldAfterTwoReleases={rlock.IsHeldByCurrentThread}");
        Console.WriteLine($"depthAfterTwoReleases={rlock.RecursionCount}");
        rlock.Release();
        Console.WriteLine($"freeAfterThree={rlock.Owner is null}");

        Pid next = Children.Fork(() =>
        {
            LockAcquisition acquisition = rlock.TryAcquire(Bound);
            bool owned = rlock.Owner == Pid.Current && rlock.RecursionCount == 1;
            rlock.Release();
            return acquisition == LockAcquisition.Acquired && owned ? 0 : 6;
        });
        Console.WriteLine($"next={Children.Reap(next, ChildTimeout)}");
        return 0;
    }

    /// <summary>A child holds the re-entrant lock at depth 2 and is killed with SIGKILL: this process is told the owner died and holds it at depth 1.</summary>
    [Scenario]
    public static int RLockOwnerKilledAtDepthTwo(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedRLock rlock = SharedRLock.Create(region);
        SharedEvent holding = SharedEvent.Create(region, offset: 64);
        rlock.OwnerCheckInterval = TimeSpan.FromMilliseconds(20);
        Pid holder = Children.Fork(() =>
        {
            if (rlock.TryAcquire(Bound) != LockAcquisition.Acquired || rlock.TryAcquire(TimeSpan.Zero) != LockAcquisition.Acquired || rlock.RecursionCount != 2)
            {
                return 2;
            }

            holding.Set();
            Thread.Sleep(TimeSpan.FromSeconds(60)); // until killed; bounded
            return 0;
        });

        Console.WriteLine($"holding={holding.Wait(Bound)}");
        Console.WriteLine($"ownerIsHolder={rlock.Owner == holder}");
        Posix.Kill(holder, Signal.SIGKILL);
        Console.WriteLine($"holder={Children.Reap(holder, ChildTimeout)}");
        Console.WriteLine($"afterDeath={rlock.TryAcquire(Bound)}");
        Console.WriteLine($"depth={rlock.RecursionCount}");
        rlock.Release();
        Console.WriteLine($"freeAfterOneRelease={rlock.Owner is null}");
        return 0;
    }

    /// <summary>
    /// <c>args[1]</c> producer processes put <c>args[0]</c> items each through a 4-slot buffer
    /// guarded by a lock (<c>args[2]</c>: "lock", or "rlock" taken at depth 2) and two
    /// conditions (not empty, not full) to two consumer processes, which count each item they
    /// take. Every wait that returns true must match one notification.
    /// </summary>
    [Scenario]
    public static int ProducerConsumer(string[] args)
    {
        int perProducer = int.Parse(args[0], CultureInfo.InvariantCulture);
        int producerCount = int.Parse(args[1], CultureInfo.InvariantCulture);
        bool reentrant = args[2] == "rlock";
        const int Capacity = 4;
        const int Consumers = 2;
        int total = perProducer * producerCount;
        using var region = SharedMemoryRegion.Create(Posix.PageSize + (total * sizeof(int)));
        ProducerConsumerBuffer buffer = reentrant
            ? new ProducerConsumerBuffer(region, SharedRLock.Create(region), Capacity)
            : new ProducerConsumerBuffer(region, SharedLock.Create(region), Capacity);
        var seen = new SharedArray<int>(region, total, Posix.PageSize);

        var children = new List<Pid>();
        for (int p = 0; p < producerCount; p++)
        {
            int producer = p;
            children.Add(Children.Fork(() =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    if (!buffer.Put((producer * perProducer) + i))
                    {
                        return 3;
                    }
                }

                return 0;
            }));
        }

        for (int c = 0; c < Consumers; c++)
        {
            children.Add(Children.Fork(() => buffer.TakeAll(total, seen) ? 0 : 4));
        }

        for (int c = 0; c < children.Count; c++)
        {
            Console.WriteLine($"child{c}={Children.Reap(children[c], ChildTimeout)}");
        }

        int once = 0;
        int other = 0;
        for (int i = 0; i < total; i++)
        {
            if (seen[i] == 1)
            {
                once++;
            }
            else
            {
                other++;
            }
        }

        Console.WriteLine($"once={once}");
        Console.WriteLine($"notOnce={other}");
        buffer.PrintCounts();
        return 0;
    }

    /// <summary>
    /// <c>args[0]</c> waiter processes wait on one condition; this process first notifies
    /// <c>args[1]</c> ("1" or "all"), checks who woke, then notifies all the rest.
    /// </summary>
    [Scenario]
    public static int NotifyWaiters(string[] args)
    {
        int waiters = int.Parse(args[0], CultureInfo.InvariantCulture);
        bool notifyAllFirst = args[1] == "all";
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        SharedCondition progress = SharedCondition.Create(region, 32);
        var ready = new SharedValue<int>(region, 64);
        var woken = new SharedValue<int>(region, 72);
        var children = new Pid[waiters];
        for (int w = 0; w < waiters; w++)
        {
            children[w] = Children.Fork(() =>
            {
                if (sharedLock.TryAcquire(Bound) == LockAcquisition.TimedOut)
                {
                    return 2;
                }

                // Registered in the condition before the lock is let go: once the notifier,
                // holding the lock, sees every "ready", every waiter is counted.
                ready.Value++;
                progress.NotifyAll();
                bool notified = condition.Wait(sharedLock, TimeSpan.FromSeconds(60));
                woken.Value++;
                progress.NotifyAll();
                sharedLock.Release();
                return notified ? 0 : 3;
            });
        }

        sharedLock.TryAcquire(Bound);
        Console.WriteLine($"allReady={progress.WaitFor(sharedLock, () => ready.Value == waiters, Bound)}");
        Console.WriteLine($"waitingBefore={condition.WaitingCount}");
        int firstNotified = notifyAllFirst ? condition.NotifyAll() : condition.Notify(1);
        Console.WriteLine($"firstNotified={firstNotified}");
        Console.WriteLine($"firstWoke={progress.WaitFor(sharedLock, () => woken.Value == firstNotified, Bound)}");

        // Under the lock, with the notified waiters back: nobody else can have woken.
        Console.WriteLine($"wokenAfterFirst={woken.Value}");
        Console.WriteLine($"waitingAfterFirst={condition.WaitingCount}");
        Console.WriteLine($"restNotified={condition.NotifyAll()}");
        Console.WriteLine($"allWoke={progress.WaitFor(sharedLock, () => woken.Value == waiters, Bound)}");
        sharedLock.Release();
        for (int w = 0; w < waiters; w++)
        {
            Console.WriteLine($"waiter{w}={Children.Reap(children[w], ChildTimeout)}");
        }

        return 0;
    }

    /// <summary>
    /// This process waits on the condition; a child takes the lock it let go of, notifies, and
    /// is killed with SIGKILL holding the lock. The wait must end holding the lock, told that
    /// its owner died.
    /// </summary>
    [Scenario]
    public static int WaiterReacquiresFromDeadOwner(string[] args)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        sharedLock.OwnerCheckInterval = TimeSpan.FromMilliseconds(20);
        Console.WriteLine($"acquired={sharedLock.TryAcquire(Bound)}");
        Pid notifier = Children.Fork(() =>
        {
            // Gets the lock once the parent's wait has registered and let go of it.
            if (sharedLock.TryAcquire(Bound) == LockAcquisition.TimedOut)
            {
                return 2;
            }

            condition.Notify();
            Posix.Kill(Pid.Current, Signal.SIGKILL); // holding the lock
            return 3;
        });

        try
        {
            Console.WriteLine($"outcome=returned {condition.Wait(sharedLock, TimeSpan.FromSeconds(60))}");
        }
        catch (AbandonedMutexException ex)
        {
            Console.WriteLine($"outcome={ex.GetType().Name}");
        }

        Console.WriteLine($"ownerIsSelf={sharedLock.Owner == Pid.Current}");
        Console.WriteLine($"waiting={condition.WaitingCount}");
        sharedLock.Release();
        Console.WriteLine($"notifier={Children.Reap(notifier, ChildTimeout)}");
        return 0;
    }

    /// <summary>
    /// Run as a spawned program (not forked): attaches the shared memory passed as descriptor
    /// <c>args[0]</c> with length <c>args[1]</c>, sets the int at byte 64 to 42 under the
    /// lock at byte 0 and notifies the condition at byte 16.
    /// </summary>
    [Scenario]
    public static int NotifyByDescriptor(string[] args)
    {
        int fd = int.Parse(args[0], CultureInfo.InvariantCulture);
        long length = long.Parse(args[1], CultureInfo.InvariantCulture);
        using var region = SharedMemoryRegion.Attach(new FileDescriptorHandle(fd, ownsHandle: true), length);
        SharedLock sharedLock = SharedLock.Attach(region);
        SharedCondition condition = SharedCondition.Attach(region, 16);
        if (sharedLock.TryAcquire(Bound) == LockAcquisition.TimedOut)
        {
            return 2;
        }

        new SharedValue<int>(region, 64).Value = 42;
        int notified = condition.NotifyAll();
        sharedLock.Release();
        return notified == 1 ? 0 : 3;
    }
}
