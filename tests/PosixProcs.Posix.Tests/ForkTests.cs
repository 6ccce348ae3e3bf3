using System.Globalization;
using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

[Collection(SerialChildProcesses.Name)]
public class ForkTests
{
    private static readonly Dictionary<string, string> SwitchesOff = new()
    {
        ["DOTNET_EnableWriteXorExecute"] = "0",
        ["DOTNET_TieredCompilation"] = "0",
        ["DOTNET_gcConcurrent"] = "0",
    };

    [Fact]
    public void Fork_MapSharedVsPrivate_OnlySharedWritesReachParent()
    {
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.MapSharedAndPrivateThenFork));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("exited with code 2", result.Values["child"]);
        Assert.Equal("2", result.Values["shared"]);
        Assert.Equal("1", result.Values["private"]);
    }

    [Fact]
    public void Fork_SwitchesOff_Forks()
    {
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ForkAndReport), SwitchesOff);
        Assert.True(result.Values.ContainsKey("forked"), result.ToString());
        Assert.Equal("exited with code 0", result.Values["forked"]);
    }

    [Fact]
    public void Fork_WriteXorExecuteOn_RefusedBeforeForking()
    {
        var environment = new Dictionary<string, string>(SwitchesOff) { ["DOTNET_EnableWriteXorExecute"] = "1" };
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ForkAndReport), environment);
        Assert.True(result.Values.ContainsKey("refused"), result.ToString());
        Assert.Equal(nameof(ForkHazards.WriteXorExecute), result.Values["refused"]);
        Assert.Contains("EnableWriteXorExecute", result.Values["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Fork_TieredCompilationOn_RefusedBeforeForking()
    {
        var environment = new Dictionary<string, string>(SwitchesOff) { ["DOTNET_TieredCompilation"] = "1" };
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ForkAndReport), environment);
        Assert.True(result.Values.ContainsKey("refused"), result.ToString());
        Assert.Equal(nameof(ForkHazards.TieredCompilation), result.Values["refused"]);
    }

    [Fact]
    public void Fork_ConcurrentGcOn_RefusedBeforeForking()
    {
        var environment = new Dictionary<string, string>(SwitchesOff) { ["DOTNET_gcConcurrent"] = "1" };
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ForkAndReport), environment);
        Assert.True(result.Values.ContainsKey("refused"), result.ToString());
        Assert.Equal(nameof(ForkHazards.BackgroundGarbageCollection), result.Values["refused"]);
        Assert.Contains("System.GC.Concurrent", result.Values["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Fork_AnotherThreadRunningManagedCode_RefusedNamingTheThread()
    {
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ForkWhileAnotherThreadSpins), SwitchesOff);
        Assert.True(result.Values.ContainsKey("refused"), result.ToString());
        Assert.Equal(nameof(ForkHazards.RunningThreads), result.Values["refused"]);
        Assert.Contains("spinner", result.Values["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Fork_MachineSaturatedByOtherProcesses_NeverRefused()
    {
        ScenarioResult result = Helper.Run(nameof(ForkGuardScenarios.ForkRepeatedlyOnSaturatedMachine), SwitchesOff, "40", "0");
        Assert.True(result.Values.ContainsKey("refused"), result.ToString());
        Assert.True(result.Values["refused"] == "0", result.ToString());
        Assert.Equal("True", result.Values["codesRight"]);
    }

    [Fact]
    public void Fork_AnotherThreadFinishingWork_WaitedForThenForks()
    {
        ScenarioResult result = Helper.Run(nameof(ForkGuardScenarios.ForkWhileAnotherThreadFinishesWork), SwitchesOff);
        Assert.True(result.Values.ContainsKey("forked"), result.ToString());
        Assert.Equal("exited with code 0", result.Values["forked"]);
    }

    [Fact]
    public void Fork_ThreadWakingEveryMillisecond_EveryChildRunsToItsExitCode()
    {
        ScenarioResult result = Helper.Run(nameof(ForkGuardScenarios.ForkWhileAThreadWakesEveryMillisecond), SwitchesOff, "60");
        Assert.True(result.Values.ContainsKey("codesRight"), result.ToString());
        Assert.Equal("True", result.Values["codesRight"]);
        Assert.Equal(int.Parse(result.Values["attempted"], CultureInfo.InvariantCulture), int.Parse(result.Values["children"], CultureInfo.InvariantCulture) + int.Parse(result.Values["refused"], CultureInfo.InvariantCulture));
        Assert.True(int.Parse(result.Values["children"], CultureInfo.InvariantCulture) > 0, result.ToString());
    }

    [Fact]
    public void Fork_NoDescriptorLeftForTheGuard_PosixExceptionEmfileNamingTheGuard()
    {
        ScenarioResult result = Helper.Run(nameof(ForkGuardScenarios.ForkWithNoDescriptorLeft), SwitchesOff);
        Assert.True(result.Values.ContainsKey("errno"), result.ToString());
        Assert.Equal("EMFILE", result.Values["errno"]);
        Assert.StartsWith("fork guard", result.Values["call"], StringComparison.Ordinal);
    }

    [Fact]
    public void WaitPid_ExitCodesAndSignals_RoundTrip()
    {
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.ExitCodesAndSignals));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("exited with code 0", result.Values["exit0"]);
        Assert.Equal("exited with code 7", result.Values["exit7"]);
        Assert.Equal("exited with code 255", result.Values["exit255"]);
        Assert.Equal("killed by SIGKILL", result.Values["SIGKILL"]);
        Assert.Equal("killed by SIGTERM", result.Values["SIGTERM"]);
    }

    [Fact]
    public void WaitPid_StopContinueNoHang_EachReported()
    {
        ScenarioResult result = Helper.Run(nameof(ForkScenarios.StopContinueAndNoHang));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("still running", result.Values["nohang"]);
        Assert.Equal("stopped by SIGSTOP", result.Values["stopped"]);
        Assert.Equal("continued", result.Values["continued"]);
        Assert.Equal("killed by SIGKILL", result.Values["killed"]);
    }

    [Fact]
    public void ForkSafety_TestHostRuntimeConfig_HasNoRuntimeHazards()
    {
        Assert.False(ForkSafety.IsWriteXorExecuteActive);
        Assert.False(ForkSafety.IsTieredCompilationEnabled);
        Assert.False(ForkSafety.IsBackgroundGarbageCollectionEnabled);
    }

    [Fact]
    public void Describe_RuntimeHazards_NamesTheFix()
    {
        string message = ForkSafety.Describe(ForkHazards.WriteXorExecute | ForkHazards.TieredCompilation);
        Assert.Contains("System.Runtime.EnableWriteXorExecute", message, StringComparison.Ordinal);
        Assert.Contains("System.Runtime.TieredCompilation", message, StringComparison.Ordinal);
    }
}

[Collection(SerialChildProcesses.Name)]
public class ParentWatchTests
{
    [Fact]
    public void WatchParentExit_ParentKilled_GrandchildGetsTheSignal()
    {
        ScenarioResult result = Helper.Run(nameof(ParentWatchScenarios.WatcherKillsGrandchildWhenParentDies));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("True", result.Values["armed"]);
        Assert.Equal("killed by SIGKILL", result.Values["middle"]);
        Assert.Equal("killed by SIGKILL", result.Values["grandchild"]);
    }
}
