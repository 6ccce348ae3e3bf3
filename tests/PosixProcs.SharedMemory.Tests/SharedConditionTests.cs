using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedConditionTests
{
    [Fact]
    public void Wait_NobodyNotifies_ReturnsFalseHoldingTheLockAgain()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        Assert.False(condition.Wait(sharedLock, TimeSpan.FromMilliseconds(30)));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        Assert.Equal(0, condition.WaitingCount);
        Assert.Equal(0, condition.Notify());
        sharedLock.Release();
    }

    [Fact]
    public void Wait_LockNotHeld_ThrowsSynchronizationLockWithoutWaiting()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedRLock rlock = SharedRLock.Create(region, 16);
        SharedCondition condition = SharedCondition.Create(region, 40);
        Assert.Throws<SynchronizationLockException>(() => condition.Wait(sharedLock, TimeSpan.FromSeconds(60)));
        Assert.Throws<SynchronizationLockException>(() => condition.Wait(rlock, TimeSpan.FromSeconds(60)));
        Assert.Throws<SynchronizationLockException>(() => condition.WaitFor(rlock, () => true, TimeSpan.FromSeconds(60)));
        Assert.Equal(0, condition.WaitingCount);
    }

    [Fact]
    public void Wait_BadArguments_Throw()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Throws<ArgumentException>(() => SharedCondition.Create(region, 18));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedCondition.Create(region, 56));
        SharedCondition condition = SharedCondition.Create(region, 16);
        Assert.Throws<ArgumentNullException>(() => condition.Wait((SharedLock)null!, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => condition.Notify(-1));
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => condition.Wait(sharedLock, TimeSpan.FromSeconds(-2)));
        Assert.Throws<ArgumentNullException>(() => condition.WaitFor(sharedLock, null!, TimeSpan.Zero));
        Assert.Equal(0, condition.WaitingCount);
        sharedLock.Release();
    }

    [Fact]
    public void Wait_Cancelled_ThrowsHoldingTheLockAndUnregistered()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.ThrowsAny<OperationCanceledException>(() => condition.Wait(sharedLock, TimeSpan.FromSeconds(60), cancellation.Token));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        Assert.Equal(0, condition.WaitingCount);
        sharedLock.Release();
    }

    [Fact]
    public void WaitFor_PredicateTrueOrTimeUp_ReturnsItsValue()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        int calls = 0;
        Assert.True(condition.WaitFor(sharedLock, () => ++calls > 0, TimeSpan.Zero));
        Assert.Equal(1, calls);
        Assert.False(condition.WaitFor(sharedLock, () => false, TimeSpan.FromMilliseconds(30)));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        sharedLock.Release();
    }

    [Fact]
    public async Task WaitFor_AnotherThreadSetsFlagAndNotifies_ReturnsTrueWithRLockBackAtDepthTwo()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 24);
        var flag = new SharedValue<int>(region, 40);
        var predicateCalls = new SharedValue<int>(region, 44);
        Task<(bool Result, int Depth)> waiter = Task.Factory.StartNew(
            () =>
            {
                rlock.Acquire();
                rlock.Acquire();
                bool result = condition.WaitFor(rlock, () => ++predicateCalls.Value > 0 && flag.Value == 1, TimeSpan.FromSeconds(30));
                int depth = rlock.RecursionCount;
                rlock.Release();
                rlock.Release();
                return (result, depth);
            },
            TaskCreationOptions.LongRunning);

        // The notifier can only take the lock once the waiter let go of both levels in WaitFor.
        await Task.Run(() =>
        {
            while (!waiter.IsCompleted)
            {
                Assert.NotEqual(LockAcquisition.TimedOut, rlock.TryAcquire(TimeSpan.FromSeconds(30)));
                bool waiting = condition.WaitingCount == 1;
                if (waiting)
                {
                    flag.Value = 1;
                    Assert.Equal(1, condition.NotifyAll());
                }

                rlock.Release();
                if (waiting)
                {
                    return;
                }

                Thread.Sleep(1);
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        (bool result, int depth) = await waiter.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result);
        Assert.Equal(2, depth);
        Assert.Equal(2, predicateCalls.Value);
        Assert.Null(rlock.Owner);
    }

    [Fact]
    public void Wait_ShortTimeoutsRacingNotifications_EveryNotificationEndsExactlyOneWait()
    {
        // Waits time out while notifications arrive: a waiter that times out after it was
        // counted must still take its wake-up (and return true), or a later wait would steal it.
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        const int Waiters = 3;
        const int Rounds = 300;
        int notifiedWaits = 0;
        int notifications = 0;
        Exception? failure = null;
        var threads = new List<Thread>();
        for (int w = 0; w < Waiters; w++)
        {
            threads.Add(new Thread(() => Guard(() =>
            {
                for (int i = 0; i < Rounds; i++)
                {
                    Assert.NotEqual(LockAcquisition.TimedOut, sharedLock.TryAcquire(TimeSpan.FromSeconds(30)));
                    if (condition.Wait(sharedLock, TimeSpan.FromMilliseconds(i % 3)))
                    {
                        notifiedWaits++; // under the lock
                    }

                    sharedLock.Release();
                }
            })));
        }

        threads.Add(new Thread(() => Guard(() =>
        {
            for (int i = 0; i < Waiters * Rounds; i++)
            {
                Assert.NotEqual(LockAcquisition.TimedOut, sharedLock.TryAcquire(TimeSpan.FromSeconds(30)));
                notifications += condition.Notify(1 + (i % 2));
                sharedLock.Release();
            }
        })));
        threads.ForEach(thread => thread.Start());
        Assert.All(threads, thread => Assert.True(thread.Join(TimeSpan.FromSeconds(60))));
        Assert.Null(failure);
        Assert.Equal(notifications, notifiedWaits);
        Assert.Equal(0, condition.WaitingCount);
        Assert.Equal(0, new SharedValue<int>(region, 16 + 8).Value); // no wake-up left over

        void Guard(Action body)
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }
    }

    [Theory]
    [InlineData("lock")]
    [InlineData("rlock")]
    public void Wait_ProducersAndConsumersInFourProcesses_EveryItemArrivesOnceAndEachWakeUpMatchesANotification(string lockKind)
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.ProducerConsumer), "1000", "2", lockKind);
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal("exited with code 0", values[$"child{c}"]);
        }

        Assert.Equal("2000", values["once"]);
        Assert.Equal("0", values["notOnce"]);
        Assert.Equal("2000", values["consumed"]);
        Assert.Equal(values["notEmptyNotified"], values["notEmptyWakeUps"]);
        Assert.Equal(values["notFullNotified"], values["notFullWakeUps"]);
    }

    [Fact]
    public void Wait_NotifierKilledHoldingTheLock_ThrowsAbandonedMutexWithTheLockHeld()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.WaiterReacquiresFromDeadOwner));
        Assert.Equal(nameof(LockAcquisition.Acquired), values["acquired"]);
        Assert.Equal(nameof(AbandonedMutexException), values["outcome"]);
        Assert.Equal("True", values["ownerIsSelf"]);
        Assert.Equal("0", values["waiting"]);
        Assert.Equal("killed by SIGKILL", values["notifier"]);
    }

    [Fact]
    public void Wait_RLockHeldByAnotherThread_ThrowsSynchronizationLock()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 24);
        Assert.Equal(LockAcquisition.Acquired, rlock.Acquire());
        Exception? thrown = null;
        var other = new Thread(() => thrown = Record.Exception(() => condition.Wait(rlock, TimeSpan.FromSeconds(60))));
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));
        Assert.IsType<SynchronizationLockException>(thrown);
        Assert.Equal(1, rlock.RecursionCount);
        Assert.Equal(0, condition.WaitingCount);
        rlock.Release();
    }

    [Fact]
    public void Notify_OneOfTwoWaitingProcesses_WakesExactlyOne()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.NotifyWaiters), "2", "1");
        Assert.Equal("True", values["allReady"]);
        Assert.Equal("2", values["waitingBefore"]);
        Assert.Equal("1", values["firstNotified"]);
        Assert.Equal("True", values["firstWoke"]);
        Assert.Equal("1", values["wokenAfterFirst"]);
        Assert.Equal("1", values["waitingAfterFirst"]);
        Assert.Equal("1", values["restNotified"]);
        Assert.Equal("True", values["allWoke"]);
        Assert.Equal("exited with code 0", values["waiter0"]);
        Assert.Equal("exited with code 0", values["waiter1"]);
    }

    [Fact]
    public void NotifyAll_ThreeWaitingProcesses_WakesAll()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.NotifyWaiters), "3", "all");
        Assert.Equal("True", values["allReady"]);
        Assert.Equal("3", values["waitingBefore"]);
        Assert.Equal("3", values["firstNotified"]);
        Assert.Equal("True", values["firstWoke"]);
        Assert.Equal("3", values["wokenAfterFirst"]);
        Assert.Equal("0", values["waitingAfterFirst"]);
        Assert.Equal("0", values["restNotified"]);
        for (int w = 0; w < 3; w++)
        {
            Assert.Equal("exited with code 0", values[$"waiter{w}"]);
        }
    }
}
