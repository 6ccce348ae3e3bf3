using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

public class DeadlineTests
{
    [Fact]
    public void After_MaxValue_SaturatesInsteadOfPassing()
    {
        Deadline deadline = Deadline.After(TimeSpan.MaxValue);
        Assert.False(deadline.HasPassed);
        Assert.True(deadline.Remaining > TimeSpan.FromDays(365));
        Assert.Equal(TimeSpan.FromSeconds(1), deadline.RemainingAtMost(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void After_Infinite_NeverPasses()
    {
        Deadline deadline = Deadline.After(Timeout.InfiniteTimeSpan);
        Assert.True(deadline.IsInfinite);
        Assert.Equal(Timeout.InfiniteTimeSpan, deadline.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(1), deadline.RemainingAtMost(TimeSpan.FromSeconds(1)));
        Assert.Equal(Timeout.InfiniteTimeSpan, deadline.RemainingAtMost(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void After_Zero_HasPassedWithNothingRemaining()
    {
        Deadline deadline = Deadline.After(TimeSpan.Zero);
        Assert.True(deadline.HasPassed);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }

    [Fact]
    public void After_Negative_ThrowsNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Deadline.After(TimeSpan.FromMilliseconds(-2), "wait"));
        Assert.Equal("wait", ex.ParamName);
    }

    [Fact]
    public void Read_MaxValueTimeoutWithDataReady_ReturnsTheRecord()
    {
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(1024));
        RingBuffer ring = RingBuffer.Create(region, 1024, RingBufferProducers.One);
        Assert.True(ring.Write(1, [1], TimeSpan.MaxValue));
        Assert.Equal(1, ring.Read((_, _) => { }, TimeSpan.MaxValue));
    }
}
