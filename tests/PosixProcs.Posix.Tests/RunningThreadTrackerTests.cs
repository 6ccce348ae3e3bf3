namespace PosixProcs.PosixTests;

/// <summary>The fork guard's decision, fed with sample sequences (no processes, no /proc).</summary>
public class RunningThreadTrackerTests
{
    private static ThreadSample T(int tid, char state, long cpu, string name = "worker", bool exact = true) => new(tid, state, cpu, exact, name);

    [Fact]
    public void Observe_ThreadKeepsUsingCpuInStateR_ReportedEverySample()
    {
        var tracker = new RunningThreadTracker();
        Assert.Single(tracker.Observe([T(1, 'R', 100)]));
        Assert.Single(tracker.Observe([T(1, 'R', 200)]));
        Assert.Single(tracker.Observe([T(1, 'R', 300)]));
    }

    [Fact]
    public void Observe_RunnableFromTheFirstSampleWithoutCpu_StillReported()
    {
        // Never seen asleep: it may have been preempted in the middle of managed code.
        var tracker = new RunningThreadTracker();
        Assert.Single(tracker.Observe([T(1, 'R', 100)]));
        Assert.Single(tracker.Observe([T(1, 'R', 100)]));
    }

    [Fact]
    public void Observe_WokenButNotYetRunSinceAsleep_NotReported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100)]));
        Assert.Empty(tracker.Observe([T(1, 'R', 100)]));
        Assert.Empty(tracker.Observe([T(1, 'R', 100)]));
    }

    [Fact]
    public void Observe_WokenAndRanSinceAsleep_Reported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100)]));
        Assert.Single(tracker.Observe([T(1, 'R', 101)]));
    }

    [Fact]
    public void Observe_CoarseCpuTimes_RunnableThreadReportedEvenAfterSleep()
    {
        // Clock ticks cannot prove that a thread has not run since it slept.
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 10_000_000, exact: false)]));
        Assert.Single(tracker.Observe([T(1, 'R', 10_000_000, exact: false)]));
    }

    [Theory]
    [InlineData(".NET SynchManag")]
    [InlineData(".NET EventPipe")]
    [InlineData(".NET Debugger")]
    [InlineData(".NET DebugPipe")]
    public void Observe_RuntimeThreadThatNeverRunsManagedCode_NeverReported(string name)
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'R', 100, name)]));
        Assert.Empty(tracker.Observe([T(1, 'R', 900, name)]));
    }

    [Theory]
    [InlineData(".NET Finalizer")]
    [InlineData(".NET SigHandler")]
    [InlineData(".NET TP Worker")]
    public void Observe_RuntimeThreadThatRunsManagedCode_JudgedLikeAnyOther(string name)
    {
        var tracker = new RunningThreadTracker();
        Assert.Single(tracker.Observe([T(1, 'R', 100, name)]));
        Assert.Empty(tracker.Observe([T(1, 'S', 150, name)]));
        Assert.Empty(tracker.Observe([T(1, 'R', 150, name)]));
        Assert.Single(tracker.Observe([T(1, 'R', 160, name)]));
    }

    [Fact]
    public void Observe_OneQuietOneBusy_OnlyTheBusyOneReported()
    {
        var tracker = new RunningThreadTracker();
        tracker.Observe([T(1, 'S', 5), T(2, 'R', 5)]);
        List<ThreadSample> running = tracker.Observe([T(1, 'R', 5), T(2, 'R', 9)]);
        Assert.Equal(2, Assert.Single(running).Tid);
    }

    [Fact]
    public void Describe_ReportedThread_NamesItWithCpuUsedWhileWatched()
    {
        var tracker = new RunningThreadTracker();
        tracker.Observe([T(42, 'R', 1_000_000, "spinner")]);
        ThreadSample last = Assert.Single(tracker.Observe([T(42, 'R', 41_000_000, "spinner")]));
        Assert.Equal("spinner (tid 42, 40 ms of CPU while watched)", tracker.Describe(last));
    }

    [Fact]
    public void SampleOthers_ThisProcess_SeesOtherThreadsWithNamesButNotTheCaller()
    {
        ThreadSample[]? threads = ThreadSample.SampleOthers();
        Assert.NotNull(threads);
        Assert.Contains(threads, t => t.Name == ".NET Finalizer");
        string self = Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget!);
        Assert.DoesNotContain(threads, t => t.Tid.ToString(System.Globalization.CultureInfo.InvariantCulture) == self);
        Assert.All(threads, t => Assert.True(t.Tid > 0 && t.CpuTimeNanoseconds >= 0 && t.Name.Length > 0, t.ToString()));
    }

    [Fact]
    public void RanSinceLastSample_NoThreadUsedCpu_Empty()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100), T(2, 'S', 50)]));
        Assert.Empty(tracker.Observe([T(1, 'S', 100), T(2, 'R', 50)]));

        // Woken meanwhile but not yet run (state R, same CPU time) holds what it held asleep.
        Assert.Empty(tracker.RanSinceLastSample([T(1, 'R', 100), T(2, 'S', 50)]));
    }

    [Fact]
    public void RanSinceLastSample_ThreadUsedCpuWhileForking_Reported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100), T(2, 'S', 50)]));

        ThreadSample ran = Assert.Single(tracker.RanSinceLastSample([T(1, 'S', 100), T(2, 'S', 51)]));

        Assert.Equal(2, ran.Tid);
    }

    [Fact]
    public void RanSinceLastSample_ThreadStartedOrEndedWhileForking_Reported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100), T(2, 'S', 50)]));

        List<ThreadSample> ran = tracker.RanSinceLastSample([T(1, 'S', 100), T(3, 'S', 0)]);

        Assert.Equal([2, 3], ran.Select(t => t.Tid).Order());
    }

    [Fact]
    public void RanSinceLastSample_CoarseCpuTimesAndStateR_Reported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 10_000_000, exact: false)]));

        Assert.Single(tracker.RanSinceLastSample([T(1, 'R', 10_000_000, exact: false)]));
        Assert.Empty(tracker.RanSinceLastSample([T(1, 'S', 10_000_000, exact: false)]));
    }

    [Fact]
    public void RanSinceLastSample_RuntimeNativeThreadRan_NotReported()
    {
        var tracker = new RunningThreadTracker();
        Assert.Empty(tracker.Observe([T(1, 'S', 100, ".NET SynchManag")]));

        Assert.Empty(tracker.RanSinceLastSample([T(1, 'S', 900, ".NET SynchManag"), T(2, 'S', 5, ".NET EventPipe")]));
    }
}
