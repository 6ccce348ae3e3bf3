namespace PosixProcs.Benchmarks.Tests;

public class TargetTests
{
    [Theory]
    [InlineData(1.05, Verdict.Met)]
    [InlineData(1.1, Verdict.Met)]
    [InlineData(1.11, Verdict.Missed)]
    public void AtMost_Judge(double ratio, Verdict expected) =>
        Assert.Equal(expected, Target.AtMost(1.1, "issue 3").Judge(ratio));

    [Theory]
    [InlineData(0.95, Verdict.Met)]
    [InlineData(0.9, Verdict.Met)]
    [InlineData(0.69, Verdict.Missed)]
    public void AtLeast_Judge(double ratio, Verdict expected) =>
        Assert.Equal(expected, Target.AtLeast(0.9, "issue 3").Judge(ratio));

    [Fact]
    public void ToString_ShowsDirectionRatioAndSource()
    {
        Assert.Equal("<= 1.1x (issue 3)", Target.AtMost(1.1, "issue 3").ToString());
        Assert.Equal(">= 30x (issue 5)", Target.AtLeast(30, "issue 5").ToString());
    }

    [Fact]
    public void Create_NonPositiveRatio_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Target.AtMost(0, "issue 3"));

    [Fact]
    public void Compare_RatioIsMeasuredOverReference_JudgedAgainstTarget()
    {
        ComparisonResult c = ComparisonResult.Compare("c.x", Summary.Of([12]), Summary.Of([10]), Target.AtMost(1.1, "issue 3"));
        Assert.Equal(1.2, c.Ratio!.Value, 10);
        Assert.Equal(Verdict.Missed, c.Verdict);
    }

    [Fact]
    public void ComparePaired_MedianOfPerRoundRatios()
    {
        // Round 2 was slowed for both sides: its pair still reads 1.0.
        ComparisonResult c = ComparisonResult.ComparePaired("c.x", [10, 40, 11], [10, 40, 10], Target.AtMost(1.05, "issue 3"));
        Assert.Equal(1.0, c.Ratio!.Value, 10);
        Assert.Equal(Verdict.Met, c.Verdict);
        Assert.Equal(new Summary(10, 10, 40, 3), c.ReferenceSummary);
    }

    [Fact]
    public void ComparePaired_CountsDiffer_Throws() =>
        Assert.Throws<ArgumentException>(() => ComparisonResult.ComparePaired("c.x", [1, 2], [1], null));

    [Fact]
    public void Compare_WithoutTarget_NoTarget() =>
        Assert.Equal(Verdict.NoTarget, ComparisonResult.Compare("c.x", Summary.Of([1]), Summary.Of([2]), null).Verdict);
}
