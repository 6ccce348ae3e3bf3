using System.Diagnostics;
using System.Globalization;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>The pool's host survives its workers and its fork server (issue 10); each scenario runs in a helper process.</summary>
public class ResilienceTests
{
    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void SubmitAsync_ForkServerKilled_RunningTaskRunsAgainUnchargedAndServerRestarts()
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ForkServerKilled)).Values;
        Assert.Equal("True", values["started"]);
        Assert.Equal("run again", values["running"]); // with MaxRetries 0: the server's death cost it no attempt
        Assert.Equal("42", values["after"]);
        Assert.Equal("True", values["newServer"]);
        Assert.Equal("2", values["workers"]);
    }

    [Fact]
    public void WorkerRestart_ServerOutOfDescriptors_ServerSurvivesAndPoolRecovers()
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ServerForkFails), null, "nofile", "recover").Values;
        Assert.Equal("True", values["crashed"]);
        Assert.Equal("True", values["failuresSeen"]);
        Assert.Equal("42", values["after"]);
        Assert.Equal("True", values["sameServer"]);
        Assert.Equal("True", values["disposed"]);
    }

    [Fact]
    public void WorkerRestart_ServerOutOfDescriptorsForGood_PoolFaultsWithEmfile()
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ServerForkFails), null, "nofile", "fault").Values;
        Assert.Equal("True", values["faulted"]);
        Assert.Equal("EMFILE", values["reason"]);
        Assert.StartsWith(nameof(ProcessPoolFaultedException), values["later"], StringComparison.Ordinal);
        Assert.Equal(nameof(PosixException), values["poolFault"]);
        Assert.Equal("True", values["disposed"]);
    }

    [Fact]
    public void WorkerRestart_ServerOverProcessLimit_PoolFaultsWithEagain()
    {
        // Root ignores RLIMIT_NPROC: the helper runs as nobody, and so does its fork server.
        ScenarioResult result = AsNobody(nameof(ResilienceScenarios.ServerForkFails), "nproc", "fault");
        Assert.True(result.ExitCode == 0, result.ToString());
        var values = result.Values;
        Assert.Equal("True", values["faulted"]);
        Assert.Equal("EAGAIN", values["reason"]);
        Assert.Equal("fork", values["call"]);
        Assert.Equal("True", values["disposed"]);
    }

    [Fact]
    public void Start_NoThreadCanBeCreated_PthreadCreateEagainAndNothingLeft()
    {
        ScenarioResult result = AsNobody(nameof(ResilienceScenarios.StartWithNoThreadLeft));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(nameof(PosixException), result.Values["type"]);
        Assert.StartsWith("pthread_create: EAGAIN", result.Values["error"], StringComparison.Ordinal);
        Assert.Equal(result.Values["regionsBefore"], result.Values["regionsAfter"]);
    }

    [Fact]
    public void WorkerRestart_ServerOverProcessLimitForAWhile_PoolRecovers()
    {
        ScenarioResult result = AsNobody(nameof(ResilienceScenarios.ServerForkFails), "nproc", "recover");
        Assert.True(result.ExitCode == 0, result.ToString());
        var values = result.Values;
        Assert.Equal("True", values["failuresSeen"]);
        Assert.Equal("42", values["after"]);
        Assert.Equal("True", values["sameServer"]);
    }

    [Theory]
    [InlineData("DOTNET_TieredCompilation")]
    [InlineData("DOTNET_gcConcurrent")]
    [InlineData("DOTNET_EnableWriteXorExecute")]
    public void Start_ApplicationEnvironmentTurnsAForkHazardOn_ForkServerStillForks(string variable)
    {
        // The application itself is not forked here (ForkServer): only its server must be safe.
        var values = Helper.Run(nameof(ResilienceScenarios.ServerForksWhateverTheEnvironment), new Dictionary<string, string> { [variable] = "1" }).Values;
        Assert.Equal("0", values["result"]);
        Assert.Equal("2", values["workers"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork, "terminate")]
    [InlineData(StartMethod.ForkServer, "terminate")]
    [InlineData(StartMethod.Spawn, "grace")]
    [InlineData(StartMethod.ForkServer, "grace")]
    public void TerminateAsync_TaskBlockedForEver_WorkerKilledTasksCancelled(StartMethod method, string how)
    {
        var values = Helper.Run(nameof(ResilienceScenarios.TerminateWithBlockedTask), null, method.ToString(), how).Values;
        Assert.Equal("True", values["started"]);
        if (how == "grace")
        {
            Assert.Equal("False", values["finishedInTime"]);
        }

        Assert.Equal("cancelled", values["blocked"]);
        Assert.Equal("cancelled", values["queued"]);
        Assert.Equal("True", values["workerGone"]);
        Assert.Equal("0", values["zombies"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void ShutdownAsync_CancelPendingWithPipelinedTasks_OnlyTheRunningOneRuns(StartMethod method)
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ShutdownCancelsPipelined), null, method.ToString()).Values;
        Assert.Equal("True", values["started"]);
        // The first task runs; at most one more may start before the shutdown reaches the dispatcher.
        Assert.InRange(Int(values["ran"]), 1, 2);
        Assert.Equal(20 - Int(values["ran"]), Int(values["cancelled"]));
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    public void MapAsync_NewClosureOnTwoWorkers_TasksSplitEvenly(StartMethod method)
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ForkBalances), null, method.ToString()).Values;
        // 20 equal tasks on 2 workers: 10/10 when balanced; a full pipeline kept by one worker gave 16/4.
        Assert.True(Int(values["smaller"]) >= 7, values["split"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    public void Start_OutOfDescriptors_TypedErrorAndDisposeWorks(StartMethod method)
    {
        var values = Helper.Run(nameof(ResilienceScenarios.DescriptorsExhausted), null, method.ToString()).Values;
        Assert.True(values.ContainsKey("startFailed") || values.ContainsKey("outcome"), string.Join(';', values));

        // A pool that started runs the task: one that faulted later (its JSON context failing to
        // load at the limit) used to leave the task pending for ever, and this said nothing.
        Assert.Equal("1", values.GetValueOrDefault("outcome", "1"));
        if (values.TryGetValue("startFailed", out string? type))
        {
            // Every method: a PosixException carrying EMFILE (the shim's spawn used to report
            // EINVAL when moving descriptors above the highest needed numbers past the limit).
            Assert.True(values["emfile"] == "True", $"{type}: {values["message"]}");
        }

        Assert.Equal("True", values["disposed"]);
    }

    [Fact]
    public void SubmitAsync_ClosureDoneUnderFork_CapturedStateReleased()
    {
        var values = Helper.Run(nameof(ResilienceScenarios.ClosureReleased)).Values;
        Assert.Equal("4999950000", values["sum"]);
        Assert.Equal("True", values["released"]);
        Assert.Equal("3", values["after"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_ResultTypeJsonCannotWrite_ErrorNamesTypeAndFix(StartMethod method)
    {
        var values = Helper.Run(nameof(ResilienceScenarios.UnsupportedType), null, method.ToString()).Values;
        Assert.Equal("True", values["namesType"]);
        Assert.Equal("True", values["namesFix"]);
        Assert.Equal("5", values["after"]);
    }

    [Fact]
    public void SubmitAsync_ArgumentTypeJsonCannotWrite_PoolSerializationExceptionBeforeAnyWork()
    {
        var serializer = new PoolSerializer();
        var ex = Assert.Throws<PoolSerializationException>(() => serializer.Serialize(new MemoryStream()));
        Assert.Equal(typeof(MemoryStream), ex.ValueType);
        Assert.Contains(nameof(ProcessPoolOptions.Serializer), ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs a scenario as the unprivileged user nobody (setpriv), with a bounded wait.</summary>
    private static ScenarioResult AsNobody(string scenario, params string[] args)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["--reuid", "65534", "--regid", "65534", "--clear-groups", "dotnet", typeof(Helper).Assembly.Location, Scenarios.Verb, scenario, .. args])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_HOME"] = "/tmp";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"{scenario} as nobody did not finish in 90 s");
        }

        Assert.True(Task.WaitAll([output, error], TimeSpan.FromSeconds(10)), "the helper's output stayed open");
        return new ScenarioResult(process.ExitCode, output.Result, error.Result);
    }
}
