using PosixProcs.Pool;

namespace PosixProcs.Stress.Tests;

/// <summary>
/// A fast case of each stress item (issue 10), run by the harness with quick sizes. Each
/// passes only if the library behaves: see the harness's reason in a failure message.
/// </summary>
[Collection(SerialStressCases.Name)]
public sealed class StressCaseTests
{
    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    [InlineData(StartMethod.Spawn)]
    public void PoolUnderKills_RandomWorkerKilledEvery20Ms_EveryTaskResolvesAndPoolRecovers(StartMethod method)
    {
        ReportedCase reported = StressRun.Passes($"pool-kills-{method.ToString().ToLowerInvariant()}");

        Assert.Equal(0, reported.Number("final.lost"));
        Assert.Equal(0, reported.Number("final.wrong"));
        Assert.True(reported.Number("killer.workerKills") > 0);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    [InlineData(StartMethod.Spawn)]
    public void ParentKilled_BusyPool_NoProcessSurvivesAndNoShmEntryIsLeft(StartMethod method)
    {
        ReportedCase reported = StressRun.Passes($"parent-killed-{method.ToString().ToLowerInvariant()}");

        Assert.Equal(0, reported.Number("survivors"));
        Assert.True(reported.Number("processesBeforeKill") >= 3);
    }

    [Fact]
    public void Limits_ProcessLimitAsUnprivilegedUser_ForkAndSpawnFailWithTypedEagain()
    {
        StressRun.Passes("limits-nproc");
    }

    [Fact]
    public void Limits_Ulimit64_EveryCallAtTheLimitFailsWithTypedEmfile()
    {
        StressRun.Passes("limits-nofile");
    }

    [Fact]
    public void InheritedDescriptors_FiftyInheritableInParent_NoChildOrWorkerSeesThem()
    {
        ReportedCase reported = StressRun.Passes("inherited-descriptors");

        Assert.Equal(50, reported.Number("planted"));
    }

    [Fact]
    public void SignalStorm_HandlersRegistered_NoWaitFails()
    {
        ReportedCase reported = StressRun.Passes("signal-storm");

        Assert.True(reported.Number("signals.handled") > 0);
    }

    [Theory]
    [InlineData("corrupt-ring-header")]
    [InlineData("corrupt-ring-records")]
    [InlineData("truncated-frames")]
    public void Corruption_DamagedRingOrFrame_FailsTyped(string name)
    {
        StressRun.Passes(name);
    }

    [Fact]
    public void Pid1_PoolSuiteAsPid1_NoZombies()
    {
        StressRun.Passes("pid1-pool");
    }
}
