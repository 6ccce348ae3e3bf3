namespace PosixProcs.Benchmarks.Tests;

public class SummaryTests
{
    [Fact]
    public void Of_OddCount_MedianIsMiddleSample()
    {
        Summary s = Summary.Of([5, 1, 3]);
        Assert.Equal(3, s.Median);
        Assert.Equal(1, s.Min);
        Assert.Equal(5, s.Max);
        Assert.Equal(3, s.Repetitions);
    }

    [Fact]
    public void Of_EvenCount_MedianIsMeanOfMiddleTwo()
    {
        Summary s = Summary.Of([4, 1, 2, 10]);
        Assert.Equal(3, s.Median);
        Assert.Equal(1, s.Min);
        Assert.Equal(10, s.Max);
    }

    [Fact]
    public void Spread_IsRangeOverMedian()
    {
        Assert.Equal(0.5, Summary.Of([8, 10, 13]).Spread, 10);
        Assert.Equal(0, Summary.Of([7]).Spread);
    }

    [Fact]
    public void Of_NoSamples_Throws() => Assert.Throws<ArgumentException>(() => Summary.Of([]));

    [Fact]
    public void Of_NaN_Throws() => Assert.Throws<ArgumentException>(() => Summary.Of([1, double.NaN]));
}
