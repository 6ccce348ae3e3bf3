using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedLockTests
{
    [Fact]
    public void TryAcquire_Free_AcquiredAndOwnedByThisProcess()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region, 8);
        Assert.Null(sharedLock.Owner);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        sharedLock.Release();
        Assert.Null(sharedLock.Owner);
    }

    [Fact]
    public void TryAcquire_HeldByLiveProcess_TimesOut()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        SharedLock other = SharedLock.Attach(region);
        Assert.Equal(LockAcquisition.TimedOut, other.TryAcquire(TimeSpan.FromMilliseconds(30)));
        sharedLock.Release();
        Assert.Equal(LockAcquisition.Acquired, other.TryAcquire(TimeSpan.Zero));
        other.Release();
    }

    [Fact]
    public void TryAcquire_Cancelled_ThrowsAndLeavesLockWithOwner()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.ThrowsAny<OperationCanceledException>(() => sharedLock.TryAcquire(TimeSpan.FromSeconds(60), cancellation.Token));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        sharedLock.Release();
    }

    [Fact]
    public async Task Release_SleepingAcquirerOnAnotherThread_IsWoken()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        Task<LockAcquisition> waiter = Task.Run(() => sharedLock.TryAcquire(TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        sharedLock.Release();
        Assert.Equal(LockAcquisition.Acquired, await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
        sharedLock.Release();
    }

    [Fact]
    public void Release_NotHeld_ThrowsSynchronizationLock()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Throws<SynchronizationLockException>(sharedLock.Release);
        new SharedValue<uint>(region).Value = 1;
        var ex = Assert.Throws<SynchronizationLockException>(sharedLock.Release);
        Assert.Contains("held by process 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BadArguments_Throw()
    {
        using var region = SharedMemoryRegion.Create(64);
        Assert.Throws<ArgumentException>(() => SharedLock.Create(region, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedLock.Create(region, 64));
        SharedLock sharedLock = SharedLock.Create(region);
        Assert.Throws<ArgumentOutOfRangeException>(() => sharedLock.OwnerCheckInterval = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => sharedLock.TryAcquire(TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public void TryAcquire_HolderKilledWithSigkill_NextAcquirerToldOwnerDiedDataConsistent()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.LockHolderKilled));
        Assert.Equal("True", values["holding"]);
        Assert.Equal("True", values["ownerIsHolder"]);
        Assert.Equal(nameof(LockAcquisition.TimedOut), values["whileAlive"]);
        Assert.Equal("killed by SIGKILL", values["holder"]);
        Assert.Equal(nameof(LockAcquisition.OwnerDied), values["afterDeath"]);
        Assert.Equal("True", values["ownerIsSelf"]);
        Assert.Equal("True", values["consistent"]);
        Assert.Equal("exited with code 0", values["next"]);
    }

    [Fact]
    public void TryAcquire_TwoProcessesIncrementingUnderLock_NoIncrementLost()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.LockMutualExclusion), "100000");
        Assert.Equal("exited with code 0", values["child0"]);
        Assert.Equal("exited with code 0", values["child1"]);
        Assert.Equal("200000", values["total"]);
        Assert.Equal("200000", values["acquired"]);
        Assert.Equal("0", values["ownerDied"]);
    }

    [Fact]
    public void TryAcquire_HolderKilledButNotReaped_OwnerDied()
    {
        // Before: kill(pid, 0) found the zombie "alive" and the acquirer timed out.
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.LockHolderZombie));
        Assert.Equal("True", values["holding"]);
        Assert.Equal("True", values["zombie"]);
        Assert.Equal("True", values["existsForKill"]);
        Assert.Equal(nameof(LockAcquisition.OwnerDied), values["afterDeath"]);
        Assert.Equal("killed by SIGKILL", values["holder"]);
    }

    [Fact]
    public void TryAcquire_OwnerPidNowNamesAnotherProcess_OwnerDied()
    {
        // A recycled pid: the word names a live process (this one), but the start time
        // recorded with it is not that process's.
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region, 8);
        sharedLock.OwnerCheckInterval = TimeSpan.FromMilliseconds(10);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        var recordedStart = new SharedValue<long>(region, 16);
        recordedStart.Value++;
        Assert.Equal(LockAcquisition.OwnerDied, sharedLock.TryAcquire(TimeSpan.FromSeconds(30)));
        Assert.Equal(Pid.Current, sharedLock.Owner);
        sharedLock.Release();
    }

    [Fact]
    public void TryAcquire_OwnerAliveWithItsRecordedStartTime_TimedOut()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedLock sharedLock = SharedLock.Create(region, 8);
        sharedLock.OwnerCheckInterval = TimeSpan.FromMilliseconds(10);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        Assert.Equal(LockAcquisition.TimedOut, sharedLock.TryAcquire(TimeSpan.FromMilliseconds(100)));
        sharedLock.Release();
    }

    [Fact]
    public void ProcessIdentity_SamePidOtherStartTime_NotAlive()
    {
        long start = ProcessIdentity.CurrentStartTime();
        Assert.True(start > 0);
        Assert.Equal(start, ProcessIdentity.StartTime(Pid.Current));
        Assert.True(ProcessIdentity.IsAlive(Pid.Current, start));
        Assert.True(ProcessIdentity.IsAlive(Pid.Current, 0));
        Assert.False(ProcessIdentity.IsAlive(Pid.Current, start + 1));
    }
}
