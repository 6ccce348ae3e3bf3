namespace PosixProcs.Benchmarks.Tests;

public class HarnessTests
{
    [Fact]
    public void RoundOrder_AlternatesDirection()
    {
        Assert.Equal([0, 1, 2], Harness.RoundOrder(0, 3));
        Assert.Equal([2, 1, 0], Harness.RoundOrder(1, 3));
        Assert.Equal([0, 1, 2], Harness.RoundOrder(2, 3));
        Assert.Equal([0], Harness.RoundOrder(1, 1));
    }

    [Fact]
    public void Run_InterleavesSidesEachRoundAfterWarmUp()
    {
        var journal = new List<string>();
        using var measured = new ScriptedMeasurement("m", Unit.Microseconds, [1], journal);
        using var reference = new ScriptedMeasurement("r", Unit.Microseconds, [1], journal);
        new Harness(Settings.With(rounds: 3, warmup: 1), TextWriter.Null).Run(measured, "d", [new Comparison(reference, null)]);
        Assert.Equal(
            [
                "m start", "r start", "m warm-up", "r warm-up",
                "m measure", "r measure",
                "r measure", "m measure",
                "m measure", "r measure",
                "r dispose", "m dispose",
            ],
            journal);
    }

    [Fact]
    public void Run_MediansAndRatioPerReference()
    {
        var journal = new List<string>();
        var measured = new ScriptedMeasurement("m", Unit.Microseconds, [11, 30, 12], journal);
        var c = new ScriptedMeasurement("c", Unit.Microseconds, [10, 10, 9], journal);
        var py = new ScriptedMeasurement("py", Unit.Microseconds, [40, 44, 48], journal);
        BenchmarkResult result = new Harness(Settings.With(rounds: 3), TextWriter.Null).Run(
            measured, "d", [new Comparison(c, Target.AtMost(1.1, "issue 3")), new Comparison(py, null)]);

        Assert.Equal(new Summary(12, 11, 30, 3), result.Measured);
        Assert.Equal(new Summary(10, 9, 10, 3), result.Comparisons[0].ReferenceSummary);

        // Paired per round: 11/10, 30/10, 12/9 -> median 4/3, not 12/10 from the medians.
        Assert.Equal(12.0 / 9, result.Comparisons[0].Ratio!.Value, 10);
        Assert.Equal(Verdict.Missed, result.Comparisons[0].Verdict);
        Assert.Equal(11.0 / 40, result.Comparisons[1].Ratio!.Value, 10);
        Assert.Equal(Verdict.NoTarget, result.Comparisons[1].Verdict);
        Assert.Null(result.Note);
    }

    [Fact]
    public void Run_ReferenceFailsCheck_ThatComparisonFailedOthersStand()
    {
        var journal = new List<string>();
        var measured = new ScriptedMeasurement("m", Unit.Microseconds, [5], journal);
        var broken = new ScriptedMeasurement("broken", Unit.Microseconds, [5], journal, failAtCall: 1);
        var good = new ScriptedMeasurement("good", Unit.Microseconds, [10], journal);
        BenchmarkResult result = new Harness(Settings.With(rounds: 3), TextWriter.Null).Run(
            measured, "d", [new Comparison(broken, null), new Comparison(good, Target.AtMost(1, "issue 3"))]);

        Assert.Equal(Verdict.Failed, result.Comparisons[0].Verdict);
        Assert.Null(result.Comparisons[0].Ratio);
        Assert.Equal(Verdict.Met, result.Comparisons[1].Verdict);
        Assert.Contains("broken: checksum differs", result.Note, StringComparison.Ordinal);
        Assert.True(broken.Disposed);
    }

    [Fact]
    public void Run_MeasuredFails_NoFigureEveryComparisonFailed()
    {
        var journal = new List<string>();
        var measured = new ScriptedMeasurement("m", Unit.Microseconds, [5], journal, failAtCall: 0);
        var reference = new ScriptedMeasurement("r", Unit.Microseconds, [5], journal);
        BenchmarkResult result = new Harness(Settings.With(rounds: 3), TextWriter.Null).Run(measured, "d", [new Comparison(reference, null)]);

        Assert.Null(result.Measured);
        Assert.Equal(Verdict.Failed, result.Comparisons[0].Verdict);
        Assert.Single(journal, entry => entry == "m measure");
    }

    [Fact]
    public void Run_MeasuredChildFailsAtDispose_NoFigureAndEveryOtherSideDisposed()
    {
        var journal = new List<string>();
        var measured = new ScriptedMeasurement("m", Unit.Microseconds, [5], journal, failOnDispose: true);
        var reference = new ScriptedMeasurement("r", Unit.Microseconds, [5], journal);
        BenchmarkResult result = new Harness(Settings.With(rounds: 2), TextWriter.Null).Run(measured, "d", [new Comparison(reference, null)]);

        Assert.Null(result.Measured);
        Assert.Equal(Verdict.Failed, result.Comparisons[0].Verdict);
        Assert.Contains("m: child 77 exited with code 70", result.Note, StringComparison.Ordinal);
        Assert.True(reference.Disposed);
    }

    [Fact]
    public void Run_UnitsDiffer_Throws()
    {
        var journal = new List<string>();
        using var measured = new ScriptedMeasurement("m", Unit.Microseconds, [1], journal);
        using var reference = new ScriptedMeasurement("r", Unit.Milliseconds, [1], journal);
        Assert.Throws<ArgumentException>(() => new Harness(Settings.With(), TextWriter.Null).Run(measured, "d", [new Comparison(reference, null)]));
    }

    [Fact]
    public void InProcessMeasurement_RepetitionDidLessWork_FailsCheck()
    {
        using var measurement = new CountingMeasurement(asked: 100, done: 99);
        var e = Assert.Throws<BenchmarkCheckException>(() => measurement.MeasureOnce());
        Assert.Contains("99 operations, 100 were asked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InProcessMeasurement_RepetitionDidTheWork_ReturnsAValue()
    {
        using var measurement = new CountingMeasurement(asked: 100, done: 100);
        Assert.True(measurement.MeasureOnce() >= 0);
    }
}
