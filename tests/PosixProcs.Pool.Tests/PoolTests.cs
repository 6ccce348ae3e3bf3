using System.Diagnostics;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

public class PoolTests
{
    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_HundredThousandSmallTasks_AllResultsCorrect(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.ManySmallTasks), null, method.ToString(), "100000").Values;
        Assert.Equal(values["expected"], values["sum"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void MapAsync_OrderedUnorderedAndStarMap_EveryResultInItsPlace(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.OrderedAndUnorderedMaps), null, method.ToString()).Values;
        Assert.Equal("True", values["ordered"]);
        Assert.Equal("True", values["unorderedComplete"]);
        Assert.Equal("a,bb", values["starmap"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_WorkerKilledMidTask_OnlyThatTaskFailsAndPoolRecovers(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.WorkerKilledMidTask), null, method.ToString()).Values;
        Assert.Equal("killed by SIGKILL", values["crashed"]);
        Assert.Equal("19", values["ok"]);
        Assert.Equal("42", values["after"]);
        Assert.Equal("2", values["workers"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_TaskCrashesEveryTime_ReportedAsPoisonAfterRetries(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.PoisonTaskRetried), null, method.ToString()).Values;
        Assert.Equal("3", values["attempts"]);
        Assert.StartsWith("killed by SIGABRT", values["status"], StringComparison.Ordinal);
        Assert.Equal("1", values["after"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_OverTimeout_WorkerKilledAndReplaced(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.TimeoutKillsAndReplaces), null, method.ToString()).Values;
        Assert.Equal("True", values["timedOut"]);
        Assert.Equal("5", values["after"]);
        Assert.Equal("True", values["replaced"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void MapAsync_MaxTasksPerWorker_WorkersRecycled(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.RecyclesAfterMaxTasks), null, method.ToString()).Values;
        Assert.True(int.Parse(values["distinctPids"], System.Globalization.CultureInfo.InvariantCulture) >= 8, values["distinctPids"]);
        Assert.True(int.Parse(values["maxPerPid"], System.Globalization.CultureInfo.InvariantCulture) <= 5, values["maxPerPid"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_Cancelled_RunningKilledQueuedDropped(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.CancellationKillsRunningAndDropsQueued), null, method.ToString()).Values;
        Assert.Equal("cancelled", values["running"]);
        Assert.Equal("cancelled", values["queued"]);
        Assert.Equal("3", values["after"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_UserCodeThrows_TypeAndStackComeBack(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.UserExceptionComesBack), null, method.ToString()).Values;
        Assert.Equal("System.FormatException", values["type"]);
        Assert.Equal("True", values["hasStack"]);
    }

    [Theory]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_ClosureWithoutFork_RefusedWithReason(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.ClosuresRefusedWithoutFork), null, method.ToString()).Values;
        Assert.Equal("True", values["refused"]);
        Assert.Equal("7", values["staticStillWorks"]);
    }

    [Fact]
    public void Start_WorkerHangsWhileStarting_KilledReplacedAndTasksComplete()
    {
        var values = Helper.Run(nameof(PoolScenarios.WorkerHangsWhileStarting), null, "Fork").Values;
        Assert.Equal("0,2,4,6,8,10,12,14,16,18", values["results"]);
        Assert.Equal("2", values["starts"]);
        Assert.Equal("2", values["workerStarts"]);
    }

    [Fact]
    public void SubmitAsync_ClosureCreatedAfterStartUnderFork_SeesCapturedState()
    {
        var values = Helper.Run(nameof(PoolScenarios.ClosuresCaptureState), null, "Fork").Values;
        Assert.Equal("sum:1498500", values["closure"]);
        Assert.Equal("3,30,2997", values["lookups"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void Start_Initializer_RunsInEachWorkerNotInParent(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.InitializerRunsInEachWorker), null, method.ToString()).Values;
        Assert.Equal("True", values["initialized"]);
        Assert.Equal("0", values["inParent"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_PayloadLargerThanRing_RoundTripsInFragments(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.LargePayloadsRoundTrip), null, method.ToString()).Values;
        Assert.Equal("True", values["same"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void Dispose_AfterWork_NoWorkersZombiesOrDescriptorsLeft(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.ShutdownLeavesNothing), null, method.ToString()).Values;
        Assert.Equal("0", values["workersLeft"]);
        Assert.Equal("0", values["zombies"]);
        Assert.Equal("0", values["fdGrowth"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void MapAsync_WorkersAllocateAndCollect_NoWorkerAborts(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolScenarios.GarbageCollectionInWorkers), null, method.ToString()).Values;
        Assert.Equal("True", values["collected"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public async Task Start_ParentKilledWithSigkill_NoWorkerRemains(StartMethod method)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Helper).Assembly.Location);
        start.ArgumentList.Add(Scenarios.Verb);
        start.ArgumentList.Add(nameof(PoolScenarios.PoolThenSleep));
        start.ArgumentList.Add(method.ToString());
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
