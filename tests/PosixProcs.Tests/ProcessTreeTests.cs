namespace PosixProcs.Tests;

/// <summary>Process groups and trees of a child: the forking cases run in helper processes, the spawning ones here.</summary>
[Collection(SerialChildProcesses.Name)]
public class ProcessTreeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void SignalGroup_ForkedLeaderOfThreeGenerations_ReachesEveryGeneration()
    {
        var values = Helper.Run(nameof(ProcessTreeScenarios.ThreeGenerations), null, "signal-group").Values;
        Assert.Equal("True", values["childLeadsAtOnce"]);
        Assert.Equal("True", values["grandchildInGroup"]);
        Assert.Equal("True", values["greatInGroup"]);
        Assert.Equal("killed by SIGTERM", values["child"]);
        Assert.Equal("killed by SIGTERM", values["grandchild"]);
        Assert.Equal("killed by SIGTERM", values["great"]);
        Assert.Equal("0", values["left"]);
    }

    [Fact]
    public void KillTree_GreatGrandchildLeftTheGroup_ReachedThroughProc()
    {
        var values = Helper.Run(nameof(ProcessTreeScenarios.ThreeGenerations), null, "kill-tree").Values;
        Assert.Equal("False", values["greatInGroup"]);
        Assert.Equal("True", values["outsideIsGreat"]);
        Assert.Equal("killed by SIGKILL", values["child"]);
        Assert.Equal("killed by SIGKILL", values["grandchild"]);
        Assert.Equal("killed by SIGKILL", values["great"]);
        Assert.Equal("0", values["left"]);
    }

    [Fact]
    public void Dispose_RunningForkedGroupLeader_LeavesNoProcessOfTheTree()
    {
        var values = Helper.Run(nameof(ProcessTreeScenarios.ThreeGenerations), null, "dispose").Values;
        Assert.Equal("killed by SIGKILL", values["child"]);
        Assert.Equal("killed by SIGKILL", values["grandchild"]);
        Assert.Equal("killed by SIGKILL", values["great"]);
        Assert.Equal("0", values["left"]);
    }

    [Fact]
    public void Fork_NewSession_ChildLeadsSessionAndGroupWhenForkReturns()
    {
        var values = Helper.Run(nameof(ProcessTreeScenarios.ForkNewSession)).Values;
        Assert.Equal("True", values["leadsGroup"]);
        Assert.Equal("True", values["leadsSession"]);
        Assert.Equal("True", values["ownSessionKept"]);
        Assert.Equal("killed by SIGKILL", values["status"]);
    }

    [Fact]
    public void SignalGroup_ChildInThisProcessGroup_ThrowsInvalidOperation()
    {
        using ChildProcess child = ChildProcess.Spawn("sleep", ["30"]);
        Assert.False(child.LeadsProcessGroup);
        Assert.Throws<InvalidOperationException>(() => child.SignalGroup(Signal.SIGTERM));
        Assert.False(child.HasExited);
    }

    [Fact]
    public void KillTree_ReapedChildInThisProcessGroup_ThrowsInvalidOperation()
    {
        using ChildProcess child = ChildProcess.Spawn("true", []);
        Assert.True(child.Wait(Limit));
        Assert.Throws<InvalidOperationException>(() => child.KillTree());
    }

    [Fact]
    public void SignalGroup_SpawnedLeaderReapedAndGroupEmpty_ThrowsEsrch()
    {
        using ChildProcess child = ChildProcess.Spawn("sleep", ["30"], new SpawnOptions { NewProcessGroup = true });
        Assert.True(child.LeadsProcessGroup);
        child.SignalGroup(Signal.SIGKILL);
        Assert.True(child.Wait(Limit));
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), child.Status);
        PosixException error = Assert.Throws<PosixException>(() => child.SignalGroup(Signal.SIGTERM));
        Assert.Equal(PosixErrno.ESRCH, error.Errno);
    }

    [Fact]
    public void KillTree_SpawnedShellWithChildInItsGroup_TermReachesBothAndHandlersRun()
    {
        // SIGTERM, not SIGKILL: the tree is stopped, signalled, then continued, so a trap runs.
        string marker = Path.Combine(Path.GetTempPath(), $"killtree-{Guid.NewGuid():N}");
        using ChildProcess child = ChildProcess.Spawn("sh", ["-c", $"trap 'echo trapped > {marker}; exit 3' TERM; sleep 1000 & wait"], new SpawnOptions { NewSession = true });
        try
        {
            // The trap is set once the shell has started sleep: wait (bounded) for its child.
            string children = $"/proc/{child.Pid}/task/{child.Pid}/children";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (File.ReadAllText(children).Trim().Length == 0)
            {
                Assert.True(clock.Elapsed < Limit, "the shell did not start sleep");
                Thread.Sleep(10);
            }

            Assert.Empty(child.KillTree(Signal.SIGTERM));
            Assert.True(child.Wait(Limit));
            Assert.Equal(new WaitStatus.Exited(3), child.Status);
            Assert.Equal("trapped", File.ReadAllText(marker).Trim());
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
