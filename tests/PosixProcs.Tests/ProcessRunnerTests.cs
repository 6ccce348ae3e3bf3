using System.Diagnostics;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>ProcessRunner: forking cases run in a helper process; spawning ones (fork-safe) run in the test host.</summary>
[Collection(SerialChildProcesses.Name)]
public class ProcessRunnerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void Start_ForkedTarget_JoinGivesExitCodeAndStartTwiceThrows()
    {
        var values = Helper.Run(nameof(ProcessRunnerScenarios.ForkLifecycle)).Values;
        Assert.Matches("^Process-[0-9]+$", values["name"]);
        Assert.Equal("null:False:True", values["before"]);
        Assert.Equal(nameof(InvalidOperationException), values["startTwice"]);
        Assert.Equal(nameof(InvalidOperationException), values["daemonAfterStart"]);
        Assert.Equal("True", values["joined"]);
        Assert.Equal("7", values["exitCode"]);
        Assert.Equal("exited with code 7", values["status"]);
        Assert.Equal("0", values["argumentExit"]);
        Assert.Equal("True", values["throwingJoined"]);
        Assert.Equal(ChildProcess.FaultExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), values["throwingExit"]);
        Assert.Equal("System.InvalidOperationException", values["fault"]);
    }

    [Fact]
    public void IsAlive_ForkedChildBlockedThenReleased_TrueThenFalse_TerminateGivesMinusSigterm()
    {
        var values = Helper.Run(nameof(ProcessRunnerScenarios.ForkAliveThenTerminated)).Values;
        Assert.Equal("True", values["aliveWhileBlocked"]);
        Assert.Equal("null", values["exitWhileBlocked"]);
        Assert.Equal("True", values["joined"]);
        Assert.Equal("False", values["aliveAfter"]);
        Assert.Equal("5", values["exitAfter"]);
        Assert.Equal("True", values["terminatedJoined"]);
        Assert.Equal((-Signal.SIGTERM.Number).ToString(System.Globalization.CultureInfo.InvariantCulture), values["terminatedExit"]);
        Assert.Equal("killed by SIGTERM", values["terminatedStatus"]);
        Assert.Equal((-Signal.SIGKILL.Number).ToString(System.Globalization.CultureInfo.InvariantCulture), values["killedExit"]);
    }

    [Fact]
    public void ActiveChildren_ForkedChildren_ListsLiveOnesReapsEndedAndIsEmptyInAChild()
    {
        var values = Helper.Run(nameof(ProcessRunnerScenarios.ForkActiveChildren)).Values;
        Assert.Equal("0", values["activeInChild"]);
        Assert.Equal("True", values["quickReapedByActiveChildren"]);
        Assert.Equal("0,1", values["active"]);
        Assert.Equal("0", values["activeAfter"]);
    }

    [Fact]
    public void Dispose_DaemonAndNonDaemon_DaemonTerminatedOtherJoined()
    {
        var values = Helper.Run(nameof(ProcessRunnerScenarios.ForkDisposeDaemonAndNot)).Values;
        Assert.Equal("killed by SIGTERM", values["daemon"]);
        Assert.Equal("exited with code 4", values["worker"]);
        Assert.Equal("0", values["zombies"]);
    }

    [Fact]
    public void Daemon_ParentSigkilled_DaemonChildrenEndNonDaemonLives()
    {
        // The pids go to a file, not to stdout, so that whatever happens they are found and cleaned up.
        string pidFile = Path.Combine(Path.GetTempPath(), $"pp-daemons-{Guid.NewGuid():N}");
        try
        {
            ScenarioResult result = Scenarios.Run(typeof(Helper).Assembly, nameof(ProcessRunnerScenarios.DaemonsThenSigkill), TimeSpan.FromSeconds(90), null, pidFile);
            Assert.True(result.ExitCode == 128 + Signal.SIGKILL.Number, result.ToString());
            var children = ReadChildren(pidFile);
            Assert.True(Ended(children["forked"]), $"forked daemon {children["forked"].Pid} outlived its parent");
            Assert.True(Ended(children["spawned"]), $"spawned daemon {children["spawned"].Pid} outlived its parent");
            Assert.Equal(children["plain"].StartTime, ProcessRunnerScenarios.StartTime(children["plain"].Pid));
        }
        finally
        {
            // The non-daemon sleep outlives its parent, as it should (and so would a daemon if this test failed): end them.
            foreach ((int pid, string startTime) in (File.Exists(pidFile) ? ReadChildren(pidFile) : []).Values)
            {
                if (ProcessRunnerScenarios.StartTime(pid) == startTime && ProcessInspector.State(pid) is not 'Z')
                {
                    Posix.Kill(new Pid(pid), Signal.SIGKILL);
                }
            }

            File.Delete(pidFile);
        }
    }

    [Fact]
    public void Start_SpawnedProgram_JoinGivesExitCode()
    {
        using var runner = new ProcessRunner("sh", ["-c", "exit 3"]);
        Assert.Null(runner.Pid);
        runner.Start();
        Assert.NotNull(runner.Pid);
        Assert.True(runner.Join(Limit));
        Assert.Equal(3, runner.ExitCode);
        Assert.Equal(new WaitStatus.Exited(3), runner.Status);
        Assert.False(runner.IsAlive);
    }

    [Fact]
    public void Start_Twice_ThrowsInvalidOperation()
    {
        using var runner = new ProcessRunner("true", []);
        runner.Start();
        Assert.Throws<InvalidOperationException>(runner.Start);
        Assert.Throws<InvalidOperationException>(() => runner.Daemon = true);
        Assert.True(runner.Join(Limit));
        Assert.Equal(0, runner.ExitCode);
    }

    [Fact]
    public void Join_NotStarted_ThrowsInvalidOperation()
    {
        using var runner = new ProcessRunner("true", []);
        Assert.Throws<InvalidOperationException>(() => runner.Join(Limit));
        Assert.Throws<InvalidOperationException>(runner.Terminate);
        Assert.Null(runner.ExitCode);
        Assert.False(runner.IsAlive);
    }

    [Fact]
    public async Task IsAlive_SpawnedReaderUntilInputCloses_TrueThenFalse()
    {
        await using var runner = new ProcessRunner("sh", ["-c", "read line; exit 9"], new SpawnOptions { StandardInput = StdioRedirect.Pipe });
        runner.Start();
        Assert.True(runner.IsAlive);
        Assert.Null(runner.ExitCode);
        Assert.Contains(runner, ProcessRunner.ActiveChildren());
        runner.Child!.StandardInput!.Dispose();
        WaitStatus status = await runner.JoinAsync().WaitAsync(Limit);
        Assert.Equal(new WaitStatus.Exited(9), status);
        Assert.False(runner.IsAlive);
        Assert.Equal(9, runner.ExitCode);
        Assert.DoesNotContain(runner, ProcessRunner.ActiveChildren());
    }

    [Fact]
    public void Terminate_SpawnedSleep_ExitCodeIsMinusSigterm()
    {
        using var runner = new ProcessRunner("sleep", ["600"]);
        runner.Start();
        runner.Terminate();
        Assert.True(runner.Join(Limit));
        Assert.Equal(-Signal.SIGTERM.Number, runner.ExitCode);
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGTERM, false), runner.Status);
        Assert.DoesNotContain(runner, ProcessRunner.ActiveChildren());
    }

    [Fact]
    public void Dispose_SpawnedDaemon_EndsItAndReaps()
    {
        var runner = new ProcessRunner("sleep", ["600"]) { Daemon = true };
        runner.Start();
        ChildProcess child = runner.Child!;
        runner.Dispose();
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGTERM, false), child.Status);
        Assert.DoesNotContain(runner, ProcessRunner.ActiveChildren());
        Assert.Throws<ObjectDisposedException>(runner.Start);
    }

    private static Dictionary<string, (int Pid, string StartTime)> ReadChildren(string pidFile) =>
        new ScenarioResult(0, File.ReadAllText(pidFile), string.Empty).Values.ToDictionary(
            pair => pair.Key,
            pair => (int.Parse(pair.Value.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture), pair.Value.Split(':')[1]));

    /// <summary>Whether the process is gone, a zombie, or its pid now names a later process.</summary>
    private static bool Ended((int Pid, string StartTime) child)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            char? state = ProcessInspector.State(child.Pid);
            if (state is null or 'Z' || ProcessRunnerScenarios.StartTime(child.Pid) != child.StartTime)
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return false;
    }
}
