using System.Text.RegularExpressions;
using PosixProcs.Labs;

namespace PosixProcs.LabsTests;

/// <summary>The pieces labs are built from, tested without forking.</summary>
public class LabInfrastructureTests
{
    [Fact]
    public void Report_ParsesKeyValueLines_AndNamesWhatIsMissing()
    {
        Report report = Report.Parse("a=1\nb=x=y\nnoise\nc=2.5\n");
        Assert.Equal(1, report.Number("a"));
        Assert.Equal("x=y", report.Text("b"));
        Assert.Equal(2.5, report.Ratio("c"));
        Assert.False(report.Has("noise"));
        KeyNotFoundException ex = Assert.Throws<KeyNotFoundException>(() => report.Text("d"));
        Assert.Contains("d", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadToEnd_WriterStillOpen_TimesOutWithoutEof()
    {
        using PipeEnds pipe = Posix.Pipe();
        LabIo.WriteText(pipe.Write, "partial");
        ReadOutcome outcome = LabIo.ReadToEnd(pipe.Read, TimeSpan.FromMilliseconds(100));
        Assert.Equal("partial", outcome.Text);
        Assert.False(outcome.EndOfFile);
        pipe.Write.Dispose();
        Assert.True(LabIo.ReadToEnd(pipe.Read, TimeSpan.FromSeconds(5)).EndOfFile);
    }

    [Fact]
    public void WriteAtMost_FullPipe_StopsAtCapacityByTheDeadline()
    {
        using PipeEnds pipe = Posix.Pipe();
        pipe.Write.NonBlocking = true;
        long capacity = Posix.GetPipeCapacity(pipe.Write);
        long wrote = LabIo.WriteAtMost(pipe.Write, 3 * capacity, TimeSpan.FromMilliseconds(100));
        Assert.Equal(capacity, wrote);
        Assert.Equal(capacity, LabIo.ReadAtMost(pipe.Read, 3 * capacity, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void WriteAtMost_BlockingDescriptor_IsRefused()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.Throws<ArgumentException>(() => LabIo.WriteAtMost(pipe.Write, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void PrivateDirty_GrowsWhenThisProcessWritesFreshPages()
    {
        long before = ProcFiles.PrivateDirtyKiB();
        using MemoryMapping memory = Posix.Map(8L * 1024 * 1024, MappingSharing.Private);
        memory.Span.Fill(1);
        long after = ProcFiles.PrivateDirtyKiB();
        Assert.InRange(after - before, 7L * 1024, 64L * 1024);
    }

    [Fact]
    public void Recorder_NamesAreUnique_AndHoldsNeedsEveryCheck()
    {
        var recorder = new LabRecorder(SilentNarrator.Instance);
        recorder.Measure("x", 1L, "B", "x");
        Assert.Throws<InvalidOperationException>(() => recorder.Measure("x", 2L, "B", "x again"));
        recorder.Check("a", "a", true);
        recorder.Check("b", "b", false);
        LabResult result = recorder.ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.False(result.Holds);
        Assert.Equal(1L, result["x"]);
    }

    [Fact]
    public void ProcFiles_StateAndParentOfThisProcess()
    {
        Assert.Contains(ProcFiles.State(Pid.Current)!.Value, "RS");
        Assert.Equal(Pid.Parent, ProcFiles.ParentOf(Pid.Current));
        Assert.Null(ProcFiles.State(new Pid(int.MaxValue)));
    }

    private static readonly MachineLoad Idle = new(LoadAverage: 0.3, Processors: 2, CpuShare: 1.0);
    private static readonly MachineLoad Saturated = new(LoadAverage: 9.5, Processors: 2, CpuShare: 0.42);

    private static LabRecorder RecorderSeeing(params MachineLoad[] loads)
    {
        var queue = new Queue<MachineLoad>(loads);
        var recorder = new LabRecorder(SilentNarrator.Instance, () => queue.Count > 1 ? queue.Dequeue() : queue.Peek());
        recorder.MeasureLoadAtStart();
        return recorder;
    }

    [Fact]
    public void TimingCheck_FailsOnABusyMachine_IsInconclusiveAndSaysTheLoad()
    {
        LabRecorder recorder = RecorderSeeing(Saturated);
        recorder.Check("values", "the values matched", true);
        Assert.Equal(LabVerdict.Inconclusive, recorder.TimingCheck("speedup", "threads scaled 1.0×", false));
        recorder.Evidence = "fib 30..34";
        LabResult result = recorder.ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.Equal(LabVerdict.Inconclusive, result.Verdict);
        Assert.False(result.Holds);
        LabCheck speedup = result.Checks.Single(c => c.Name == "speedup");
        Assert.True(speedup.Timing);
        Assert.Contains("inconclusive", speedup.Description, StringComparison.Ordinal);
        Assert.Contains("load average 9.5 on 2 CPUs", speedup.Description, StringComparison.Ordinal);
        Assert.StartsWith("fib 30..34; timing inconclusive", result.Evidence, StringComparison.Ordinal);
        Assert.Contains("0.42 CPU-s/s", result.Evidence, StringComparison.Ordinal);
        Assert.Equal(9.5, result["loadAverageAtStart"]);
    }

    [Fact]
    public void TimingCheck_FailsOnAnIdleMachine_DidNotHold()
    {
        LabRecorder recorder = RecorderSeeing(Idle);
        Assert.Equal(LabVerdict.DidNotHold, recorder.TimingCheck("speedup", "threads scaled 1.0×", false));
        LabResult result = recorder.ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.Equal(LabVerdict.DidNotHold, result.Verdict);
        Assert.DoesNotContain("inconclusive", result.Checks[0].Description, StringComparison.Ordinal);
        Assert.Equal(1.0, result["cpuShareAtCheck"]);
    }

    [Fact]
    public void TimingCheck_IdleAtStartBusyAtTheCheck_IsInconclusive()
    {
        LabRecorder recorder = RecorderSeeing(Idle, Saturated);
        Assert.Equal(LabVerdict.Inconclusive, recorder.TimingCheck("speedup", "threads scaled 1.0×", false));
        Assert.Equal(0.42, recorder.ToResult(new ForkLab(), TimeSpan.Zero)["cpuShareAtCheck"]);
    }

    [Fact]
    public void TimingCheck_Unjudgeable_IsInconclusiveEvenWhenIdle()
    {
        LabRecorder recorder = RecorderSeeing(Idle);
        Assert.Equal(LabVerdict.Inconclusive, recorder.TimingCheck("speedup", "threads scaled 1.0×", false, "1 CPU here"));
        Assert.Contains("1 CPU here", recorder.ToResult(new ForkLab(), TimeSpan.Zero).Checks[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TimingCheck_HoldsOnABusyMachine_Held()
    {
        LabRecorder recorder = RecorderSeeing(Saturated);
        Assert.Equal(LabVerdict.Held, recorder.TimingCheck("speedup", "threads scaled 1.9×", true));
        LabResult result = recorder.ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.Equal(LabVerdict.Held, result.Verdict);
        Assert.True(result.Holds);
    }

    [Fact]
    public void Check_NotAboutTime_FailsOnABusyMachine_DidNotHold()
    {
        LabRecorder recorder = RecorderSeeing(Saturated);
        Assert.False(recorder.Check("values", "the parent still sees 42", false));
        Assert.Equal(LabVerdict.Inconclusive, recorder.TimingCheck("speedup", "threads scaled 1.0×", false));
        LabResult result = recorder.ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.False(result.Checks[0].Timing);
        Assert.Equal(LabVerdict.DidNotHold, result.Checks[0].Verdict);
        Assert.Equal(LabVerdict.DidNotHold, result.Verdict);
    }

    [Fact]
    public void Verdict_NoChecks_DidNotHold()
    {
        LabResult result = RecorderSeeing(Idle).ToResult(new ForkLab(), TimeSpan.Zero);
        Assert.Equal(LabVerdict.DidNotHold, result.Verdict);
    }

    [Theory]
    [InlineData(0.5, 2, 1.0, false)]
    [InlineData(1.4, 2, 0.95, false)]
    [InlineData(1.6, 2, 1.0, true)]
    [InlineData(0.5, 2, 0.8, true)]
    [InlineData(double.NaN, 2, 1.0, false)]
    [InlineData(double.NaN, 2, 0.5, true)]
    public void MachineLoad_IsBusy_WhenASpinningThreadWaitsOrTheLoadLeavesNoSpareCpu(double loadAverage, int processors, double share, bool busy)
    {
        Assert.Equal(busy, new MachineLoad(loadAverage, processors, share).IsBusy);
    }

    [Fact]
    public void MachineLoad_Measure_ReportsThisMachine()
    {
        MachineLoad load = MachineLoad.Measure(TimeSpan.FromMilliseconds(20));
        Assert.Equal(Environment.ProcessorCount, load.Processors);
        Assert.InRange(load.CpuShare, 0, 1);
        Assert.True(load.LoadAverage >= 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => MachineLoad.Measure(TimeSpan.Zero));
    }

    [Fact]
    public void LabTexts_NameNoInternalIssueNumbers()
    {
        var texts = LabCatalog.All.SelectMany(l => new[] { l.Name, l.Title, l.Claim, l.Summary }.Concat(l.NextSteps)).ToList();
        Assert.NotEmpty(texts);
        Assert.All(texts, text => Assert.DoesNotMatch(IssueNumber, text));
    }

    [Theory]
    [InlineData("what does the pool (issue 5) do?")]
    [InlineData("see Issue #12")]
    [InlineData("issue 3")]
    public void IssueNumber_MatchesTrackerReferences(string text) => Assert.Matches(IssueNumber, text);

    /// <summary>"issue" followed by a number: a reference to this project's tracker, which students and users do not read.</summary>
    internal static readonly Regex IssueNumber = new(@"\bissues?\s*#?\d", RegexOptions.IgnoreCase);
}
