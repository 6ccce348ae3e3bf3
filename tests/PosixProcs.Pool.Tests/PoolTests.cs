using System.Diagnostics;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

public class PoolTests
{
    [Fact]
    public void SubmitAsync_HundredThousandSmallTasks_AllResultsCorrect()
    {
        var values = Helper.Run(nameof(PoolScenarios.ManySmallTasks), null, "100000").Values;
        Assert.Equal(values["expected"], values["sum"]);
    }

    [Fact]
    public void MapAsync_OrderedUnorderedAndStarMap_EveryResultInItsPlace()
    {
        var values = Helper.Run(nameof(PoolScenarios.OrderedAndUnorderedMaps)).Values;
        Assert.Equal("True", values["ordered"]);
        Assert.Equal("True", values["unorderedComplete"]);
        Assert.Equal("a,bb", values["starmap"]);
    }

    [Fact]
    public void SubmitAsync_WorkerKilledMidTask_OnlyThatTaskFailsAndPoolRecovers()
    {
        var values = Helper.Run(nameof(PoolScenarios.WorkerKilledMidTask)).Values;
        Assert.Equal("killed by SIGKILL", values["crashed"]);
        Assert.Equal("19", values["ok"]);
        Assert.Equal("42", values["after"]);
        Assert.Equal("2", values["workers"]);
    }

    [Fact]
    public void SubmitAsync_TaskCrashesEveryTime_ReportedAsPoisonAfterRetries()
    {
        var values = Helper.Run(nameof(PoolScenarios.PoisonTaskRetried)).Values;
        Assert.Equal("3", values["attempts"]);
        Assert.StartsWith("killed by SIGABRT", values["status"], StringComparison.Ordinal);
        Assert.Equal("1", values["after"]);
    }

    [Fact]
    public void SubmitAsync_OverTimeout_WorkerKilledAndReplaced()
    {
        var values = Helper.Run(nameof(PoolScenarios.TimeoutKillsAndReplaces)).Values;
        Assert.Equal("True", values["timedOut"]);
        Assert.Equal("5", values["after"]);
        Assert.Equal("True", values["replaced"]);
    }

    [Fact]
    public void MapAsync_MaxTasksPerWorker_WorkersRecycled()
    {
        var values = Helper.Run(nameof(PoolScenarios.RecyclesAfterMaxTasks)).Values;
        Assert.True(int.Parse(values["distinctPids"], System.Globalization.CultureInfo.InvariantCulture) >= 8, values["distinctPids"]);
        Assert.True(int.Parse(values["maxPerPid"], System.Globalization.CultureInfo.InvariantCulture) <= 5, values["maxPerPid"]);
    }

    [Fact]
    public void SubmitAsync_Cancelled_RunningKilledQueuedDropped()
    {
        var values = Helper.Run(nameof(PoolScenarios.CancellationKillsRunningAndDropsQueued)).Values;
        Assert.Equal("cancelled", values["running"]);
        Assert.Equal("cancelled", values["queued"]);
        Assert.Equal("3", values["after"]);
    }

    [Fact]
    public void SubmitAsync_UserCodeThrows_TypeAndStackComeBack()
    {
        var values = Helper.Run(nameof(PoolScenarios.UserExceptionComesBack)).Values;
        Assert.Equal("System.FormatException", values["type"]);
        Assert.Equal("True", values["hasStack"]);
    }

    [Fact]
    public void SubmitAsync_ClosureCreatedAfterStart_SeesCapturedState()
    {
        var values = Helper.Run(nameof(PoolScenarios.ClosuresCaptureState)).Values;
        Assert.Equal("sum:1498500", values["closure"]);
        Assert.Equal("3,30,2997", values["lookups"]);
    }

    [Fact]
    public void Start_Initializer_RunsInEachWorkerNotInParent()
    {
        var values = Helper.Run(nameof(PoolScenarios.InitializerRunsInEachWorker)).Values;
        Assert.Equal("True", values["initialized"]);
        Assert.Equal("0", values["inParent"]);
    }

    [Fact]
    public void SubmitAsync_PayloadLargerThanRing_RoundTripsInFragments()
    {
        var values = Helper.Run(nameof(PoolScenarios.LargePayloadsRoundTrip)).Values;
        Assert.Equal("True", values["same"]);
    }

    [Fact]
    public void Dispose_AfterWork_NoWorkersZombiesOrDescriptorsLeft()
    {
        var values = Helper.Run(nameof(PoolScenarios.ShutdownLeavesNothing)).Values;
        Assert.Equal("0", values["workersLeft"]);
        Assert.Equal("0", values["zombies"]);
        Assert.Equal("0", values["fdGrowth"]);
    }

    [Fact]
    public async Task Start_ParentKilledWithSigkill_NoWorkerRemains()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Helper).Assembly.Location);
        start.ArgumentList.Add(Scenarios.Verb);
        start.ArgumentList.Add(nameof(PoolScenarios.PoolThenSleep));
        using var parent = Process.Start(start)!;
        string? line = await parent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(line);
        int[] workers = line["workers=".Length..].Split(',').Select(int.Parse).ToArray();
        Assert.Equal(2, workers.Length);
        Assert.All(workers, w => Assert.NotNull(ProcessInspector.State(w)));

        parent.Kill();
        await parent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (workers.Any(w => ProcessInspector.State(w) is not null and not 'Z') && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.All(workers, w => Assert.True(ProcessInspector.State(w) is null or 'Z', $"worker {w} still runs"));
    }
}
