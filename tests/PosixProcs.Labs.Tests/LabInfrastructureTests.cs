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
}
