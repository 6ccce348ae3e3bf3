using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedBarrierTests
{
    [Fact]
    public void SignalAndWait_OneParticipant_CompletesAPhaseEachCall()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedBarrier barrier = SharedBarrier.Create(region, 1, offset: 8);
        Assert.True(barrier.SignalAndWait(TimeSpan.Zero));
        Assert.True(barrier.SignalAndWait(TimeSpan.Zero));
        Assert.Equal(2, barrier.CurrentPhase);
        Assert.Equal(1, SharedBarrier.Attach(region, 8).ParticipantCount);
    }

    [Fact]
    public void SignalAndWait_OthersMissing_TimesOutAndWithdrawsItsArrival()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedBarrier barrier = SharedBarrier.Create(region, 2);
        Assert.False(barrier.SignalAndWait(TimeSpan.FromMilliseconds(20)));
        Assert.False(barrier.SignalAndWait(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(0, barrier.CurrentPhase);
    }

    [Fact]
    public void SignalAndWait_Cancelled_ThrowsAndWithdraws()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedBarrier barrier = SharedBarrier.Create(region, 2);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        Assert.ThrowsAny<OperationCanceledException>(() => barrier.SignalAndWait(TimeSpan.FromSeconds(60), cancellation.Token));
        Assert.False(barrier.SignalAndWait(TimeSpan.Zero));
        Assert.Equal(0, barrier.CurrentPhase);
    }

    [Fact]
    public async Task SignalAndWait_ThreeThreads_AllReleasedTogetherPhaseAfterPhase()
    {
        using var region = SharedMemoryRegion.Create(64);
        SharedBarrier barrier = SharedBarrier.Create(region, 3);
        var arrivals = new SharedArray<int>(region, 1, 32);
        Task<bool>[] participants = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            for (int phase = 0; phase < 100; phase++)
            {
                arrivals.Add(0, 1);
                if (!barrier.SignalAndWait(TimeSpan.FromSeconds(30)) || arrivals.Read(0) < 3 * (phase + 1))
                {
                    return false;
                }
            }

            return true;
        })).ToArray();
        Assert.All(await Task.WhenAll(participants).WaitAsync(TimeSpan.FromSeconds(60)), Assert.True);
        Assert.Equal(100, barrier.CurrentPhase);
    }

    [Fact]
    public void SignalAndWait_TwoProcesses_ThousandPhasesInStep()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.BarrierAcrossProcesses), "1000");
        Assert.Equal("exited with code 0", values["child"]);
        Assert.Equal("1000", values["phases"]);
        Assert.Equal("0", values["outOfStep"]);
    }

    [Fact]
    public void Create_BadArguments_Throw()
    {
        using var region = SharedMemoryRegion.Create(64);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedBarrier.Create(region, 0));
        Assert.Throws<ArgumentException>(() => SharedBarrier.Create(region, 2, offset: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedBarrier.Create(region, 2, offset: 56));
    }
}
