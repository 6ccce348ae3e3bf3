using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedSemaphoreAndEventTests
{
    [Fact]
    public void Wait_CountExhausted_TimesOutUntilReleased()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedSemaphore semaphore = SharedSemaphore.Create(region, 2, 3, offset: 16);
        Assert.True(semaphore.Wait(TimeSpan.Zero));
        Assert.True(semaphore.Wait(TimeSpan.Zero));
        Assert.False(semaphore.Wait(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(0, semaphore.Release(3));
        Assert.Equal(3, semaphore.CurrentCount);
        var full = Assert.Throws<SemaphoreFullException>(() => semaphore.Release());
        Assert.Contains("maximum of 3", full.Message, StringComparison.Ordinal);
        Assert.Equal(3, SharedSemaphore.Attach(region, 16).MaximumCount);
    }

    [Fact]
    public void Create_BadCounts_Throw()
    {
        using var region = SharedMemoryRegion.Create(64);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSemaphore.Create(region, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSemaphore.Create(region, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSemaphore.Create(region, 0, 0));
        SharedSemaphore semaphore = SharedSemaphore.Create(region, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.Release(0));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        Assert.ThrowsAny<OperationCanceledException>(() => semaphore.Wait(TimeSpan.FromSeconds(60), cancellation.Token));
    }

    [Fact]
    public void Wait_AfterSetAndReset_BehavesAsManualResetEvent()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedEvent sharedEvent = SharedEvent.Create(region);
        Assert.False(sharedEvent.IsSet);
        Assert.False(sharedEvent.Wait(TimeSpan.FromMilliseconds(20)));
        sharedEvent.Set();
        Assert.True(sharedEvent.Wait(TimeSpan.Zero));
        Assert.True(sharedEvent.Wait(TimeSpan.Zero));
        sharedEvent.Reset();
        Assert.False(sharedEvent.Wait(TimeSpan.Zero));
        Assert.True(SharedEvent.Create(region, initiallySet: true).IsSet);
    }

    [Fact]
    public async Task Set_SleepersOnOtherThreads_AllWoken()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedEvent sharedEvent = SharedEvent.Create(region);
        Task<bool>[] waiters = Enumerable.Range(0, 3).Select(_ => Task.Run(() => sharedEvent.Wait(TimeSpan.FromSeconds(30)))).ToArray();
        await Task.Delay(50);
        sharedEvent.Set();
        Assert.All(await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(30)), Assert.True);
    }

    [Fact]
    public void Release_PingPongBetweenProcesses_EveryRoundCompletes()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.SemaphoreAndEventAcrossProcesses));
        Assert.Equal("1000", values["rounds"]);
        Assert.Equal("exited with code 0", values["child"]);
    }

    [Fact]
    public void Wait_HolderKilled_UnitNotReturnedUntilReleasedByHand()
    {
        // The documented limit (see SharedSemaphore's remarks), shown as it is.
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.SemaphoreHolderKilled));
        Assert.Equal("True", values["holding"]);
        Assert.Equal("killed by SIGKILL", values["holder"]);
        Assert.Equal("0", values["countAfterDeath"]);
        Assert.Equal("False", values["waitAfterDeath"]);
        Assert.Equal("True", values["waitAfterRelease"]);
    }
}
