using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedRLockTests
{
    [Fact]
    public void TryAcquire_ThreeTimesThenReleasedThreeTimes_FreeForAnotherThreadOnlyAfterTheLast()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region, 8);
        Assert.Null(rlock.Owner);
        Assert.Equal(0, rlock.RecursionCount);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(LockAcquisition.Acquired, rlock.TryAcquire(TimeSpan.Zero));
            Assert.Equal(i, rlock.RecursionCount);
        }

        Assert.True(rlock.IsHeldByCurrentThread);
        Assert.Equal(Pid.Current, rlock.Owner);
        rlock.Release();
        rlock.Release();
        Assert.Equal(1, rlock.RecursionCount);
        Assert.Equal(LockAcquisition.TimedOut, OnOtherThread(() => rlock.TryAcquire(TimeSpan.FromMilliseconds(20))));
        rlock.Release();
        Assert.False(rlock.IsHeldByCurrentThread);
        Assert.Null(rlock.Owner);
        Assert.Equal(LockAcquisition.Acquired, OnOtherThread(() =>
        {
            LockAcquisition acquisition = rlock.TryAcquire(TimeSpan.FromSeconds(30));
            rlock.Release();
            return acquisition;
        }));
    }

    [Fact]
    public void Release_ByThreadThatDoesNotHoldIt_ThrowsSynchronizationLockAndLockStaysHeld()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, rlock.Acquire());
        int owner = Environment.CurrentManagedThreadId;
        SynchronizationLockException ex = OnOtherThread(() =>
        {
            Assert.False(rlock.IsHeldByCurrentThread);
            Assert.Equal(0, rlock.RecursionCount);
            return Assert.Throws<SynchronizationLockException>(rlock.Release);
        });
        Assert.Contains($"held by thread {owner} of this process", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, rlock.RecursionCount);
        rlock.Release();
        var free = Assert.Throws<SynchronizationLockException>(rlock.Release);
        Assert.Equal("The lock is not held.", free.Message);
    }

    [Fact]
    public void TryAcquire_RecursionCountAtMaximum_ThrowsOverflowAndCountUnchanged()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, rlock.TryAcquire(TimeSpan.Zero));
        var count = new SharedValue<int>(region, SharedLock.Size + sizeof(int));
        Assert.Equal(1, count.Value);
        count.Value = int.MaxValue;
        Assert.Throws<OverflowException>(() => rlock.TryAcquire(TimeSpan.Zero));
        Assert.Equal(int.MaxValue, rlock.RecursionCount);
        count.Value = 1;
        rlock.Release();
        Assert.Null(rlock.Owner);
    }

    [Fact]
    public void TryAcquire_Cancelled_ThrowsAndLockStaysWithOwner()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedRLock rlock = SharedRLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, rlock.TryAcquire(TimeSpan.Zero));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.IsAssignableFrom<OperationCanceledException>(OnOtherThread(() => Record.Exception(() => rlock.TryAcquire(TimeSpan.FromSeconds(60), cancellation.Token))));
        Assert.Equal(1, rlock.RecursionCount);
        rlock.Release();
    }

    [Fact]
    public void Create_BadArguments_Throw()
    {
        using var region = SharedMemoryRegion.Create(64);
        Assert.Throws<ArgumentNullException>(() => SharedRLock.Create(null!));
        Assert.Throws<ArgumentException>(() => SharedRLock.Create(region, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedRLock.Create(region, 48));
        SharedRLock rlock = SharedRLock.Create(region, 40);
        Assert.Throws<ArgumentOutOfRangeException>(() => rlock.OwnerCheckInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => rlock.TryAcquire(TimeSpan.FromSeconds(-5)));
        Assert.Equal(24, SharedRLock.Size);
    }

    [Fact]
    public void TryAcquire_HeldThreeTimesByAnotherProcess_ChildCanNeitherTakeNorReleaseItUntilThirdRelease()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.RLockReentranceAcrossProcesses));
        Assert.Equal("Acquired,Acquired,Acquired", values["outcomes"]);
        Assert.Equal("3", values["depth"]);
        Assert.Equal("exited with code 0", values["contender"]);
        Assert.Equal("True", values["heldAfterTwoReleases"]);
        Assert.Equal("1", values["depthAfterTwoReleases"]);
        Assert.Equal("True", values["freeAfterThree"]);
        Assert.Equal("exited with code 0", values["next"]);
    }

    [Fact]
    public void TryAcquire_HolderKilledAtDepthTwo_NextAcquirerToldOwnerDiedAtDepthOne()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(ConditionScenarios.RLockOwnerKilledAtDepthTwo));
        Assert.Equal("True", values["holding"]);
        Assert.Equal("True", values["ownerIsHolder"]);
        Assert.Equal("killed by SIGKILL", values["holder"]);
        Assert.Equal(nameof(LockAcquisition.OwnerDied), values["afterDeath"]);
        Assert.Equal("1", values["depth"]);
        Assert.Equal("True", values["freeAfterOneRelease"]);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a new thread and returns its result (ownership is per
    /// thread, so these tests stay off async continuations, which may resume elsewhere).
    /// </summary>
    private static T OnOtherThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the other thread did not finish in 30 s");
        return failure is null ? result : throw new InvalidOperationException("The other thread failed.", failure);
    }
}
