using System.Text;
using System.Text.RegularExpressions;
using Mono.Unix.Native;
using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Posix.SpawnPipeline: the pipes between stages live in C only. Counts zombies and descriptors, so serial.</summary>
[Collection(SerialChildProcesses.Name)]
public partial class PipelineTests
{
    [Fact]
    public void SpawnPipeline_PrintfSortHead_LastStagePrintsFirstSortedLine()
    {
        using PipeEnds output = Posix.Pipe();
        IReadOnlyList<Pid> pids = Posix.SpawnPipeline(
        [
            new SpawnRequest("/usr/bin/printf", ["printf", "b\\na\\n"]),
            new SpawnRequest("/usr/bin/sort", ["sort"]),
            new SpawnRequest("/usr/bin/head", ["head", "-n", "1"]) { Descriptors = [new DescriptorMapping(1, output.Write)] },
        ]);
        output.Write.Dispose();

        Assert.Equal("a\n", ReadToEnd(output.Read));
        Assert.All(pids, pid => Assert.Equal(new WaitStatus.Exited(0), Posix.WaitPid(pid)));
    }

    [Fact]
    public void SpawnPipeline_ThreeStages_AllInTheFirstStagesProcessGroup()
    {
        IReadOnlyList<Pid> pids = Posix.SpawnPipeline([Sleep(), Sleep(), Sleep()]);
        try
        {
            Assert.All(pids, pid => Assert.Equal(pids[0], Posix.GetProcessGroup(pid)));
            Assert.NotEqual(Posix.GetProcessGroup(), pids[0]);
        }
        finally
        {
            Posix.KillProcessGroup(pids[0], Signal.SIGKILL);
        }

        Assert.All(pids, pid => Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), Posix.WaitPid(pid)));
    }

    [Fact]
    public void SpawnPipeline_InnerPipes_NotOpenInThisProcess()
    {
        IReadOnlyList<Pid> pids = Posix.SpawnPipeline([Sleep(), Sleep(), Sleep()]);
        try
        {
            string[] inner = [LinkOf(pids[0], 1), LinkOf(pids[1], 0), LinkOf(pids[1], 1), LinkOf(pids[2], 0)];
            Assert.All(inner, link => Assert.StartsWith("pipe:", link, StringComparison.Ordinal));
            Assert.Equal(inner[0], inner[1]);
            Assert.Equal(inner[2], inner[3]);
            Assert.NotEqual(inner[0], inner[2]);
            string[] ours = [.. ProcessInspector.OpenDescriptors().Select(fd => LinkOf(Environment.ProcessId, fd))];
            Assert.DoesNotContain(inner[0], ours);
            Assert.DoesNotContain(inner[2], ours);
        }
        finally
        {
            Posix.KillProcessGroup(pids[0], Signal.SIGKILL);
            Assert.All(pids, pid => Posix.WaitPid(pid));
        }
    }

    [Fact]
    public void SpawnPipeline_EachStageListsItsDescriptors_NoPipeBeyondItsOwnStdinAndStdout()
    {
        // Each stage passes on what came before and appends `ls -l /proc/self/fd` as run by
        // itself (through sh, whose ls inherits exactly sh's descriptors plus the directory).
        using FileDescriptorHandle devNull = Open("/dev/null");
        using PipeEnds output = Posix.Pipe();
        const string ListAfterInput = "cat; ls -l /proc/self/fd";
        IReadOnlyList<Pid> pids = Posix.SpawnPipeline(
        [
            new SpawnRequest("/bin/ls", ["ls", "-l", "/proc/self/fd"]) { Descriptors = [new DescriptorMapping(0, devNull), new DescriptorMapping(2, devNull)] },
            new SpawnRequest("/bin/sh", ["sh", "-c", ListAfterInput]) { Descriptors = [new DescriptorMapping(2, devNull)] },
            new SpawnRequest("/bin/sh", ["sh", "-c", ListAfterInput]) { Descriptors = [new DescriptorMapping(1, output.Write), new DescriptorMapping(2, devNull)] },
        ]);
        output.Write.Dispose();
        string text = ReadToEnd(output.Read);
        Assert.All(pids, pid => Assert.Equal(new WaitStatus.Exited(0), Posix.WaitPid(pid)));

        List<Dictionary<int, string>> listings = ParseListings(text);
        Assert.Equal(3, listings.Count);
        for (int stage = 0; stage < 3; stage++)
        {
            Dictionary<int, string> fds = listings[stage];
            Assert.Equal(stage == 0 ? "/dev/null" : "pipe", Kind(fds[0]));
            Assert.Equal("pipe", Kind(fds[1]));
            Assert.Equal("/dev/null", fds[2]);
            Assert.All(fds.Where(fd => fd.Key > 2), fd => Assert.DoesNotContain("pipe:", fd.Value, StringComparison.Ordinal));
        }

        Assert.Equal(listings[0][1], listings[1][0]);
        Assert.Equal(listings[1][1], listings[2][0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void SpawnPipeline_MissingProgramAtStage_ThrowsNamingItAndLeavesNoSurvivorNoZombie(int missing)
    {
        // The first exception thrown here opens the symbol files its stack trace reads: not a leak.
        Assert.Throws<SpawnException>(() => Posix.Spawn(new SpawnRequest("/no/such/program", ["nope"])));
        int childrenBefore = ProcessInspector.Children(Environment.ProcessId).Count;
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        SpawnRequest[] stages = [Sleep(), Sleep(), Sleep()];
        stages[missing] = new SpawnRequest("/no/such/program", ["nope"]);

        var ex = Assert.Throws<SpawnException>(() => Posix.SpawnPipeline(stages));

        Assert.Equal(missing, ex.PipelineStage);
        Assert.Equal(SpawnStep.Exec, ex.Step);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
        Assert.Equal($"spawn pipeline stage {missing} (/no/such/program): execve: ENOENT (No such file or directory)", ex.Message);
        Assert.Equal(childrenBefore, ProcessInspector.Children(Environment.ProcessId).Count);
        Assert.Equal(fdsBefore, ProcessInspector.SettledDescriptorCount());
    }

    [Fact]
    public void SpawnPipeline_DescriptorLimitHitsALaterStage_EarlierStagesKilledAndReapedNothingLeaks()
    {
        ScenarioResult result = Helper.Run(nameof(PipelineScenarios.PipelineUnderDescriptorLimits));
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] outcomes = result.Values["outcomes"].Split(' ');
        Assert.Contains(outcomes, o => o.StartsWith("stage0:", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.StartsWith("stage1:", StringComparison.Ordinal) || o.StartsWith("stage2:", StringComparison.Ordinal));
        Assert.Contains("started,started,started", outcomes);
        Assert.Equal("False", result.Values["leftBehind"]);
    }

    [Fact]
    public void SpawnPipeline_StageMapsAWiredDescriptor_ThrowsArgumentExceptionBeforeStarting()
    {
        using FileDescriptorHandle devNull = Open("/dev/null");
        int childrenBefore = ProcessInspector.Children(Environment.ProcessId).Count;
        Assert.Throws<ArgumentException>(() => Posix.SpawnPipeline(
            [new SpawnRequest("/bin/true", ["true"]) { Descriptors = [new DescriptorMapping(1, devNull)] }, new SpawnRequest("/bin/true", ["true"])]));
        Assert.Throws<ArgumentException>(() => Posix.SpawnPipeline(
            [new SpawnRequest("/bin/true", ["true"]), new SpawnRequest("/bin/true", ["true"]) { Descriptors = [new DescriptorMapping(0, devNull)] }]));
        Assert.Throws<ArgumentException>(() => Posix.SpawnPipeline(
            [new SpawnRequest("/bin/true", ["true"]), new SpawnRequest("/bin/true", ["true"]) { NewProcessGroup = true }]));
        Assert.Throws<ArgumentException>(() => Posix.SpawnPipeline([]));
        Assert.Equal(childrenBefore, ProcessInspector.Children(Environment.ProcessId).Count);
    }

    [Fact]
    public void SpawnPipeline_TwoHundredPipelines_NoDescriptorGrowthNoZombies()
    {
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 200; i++)
        {
            IReadOnlyList<Pid> pids = Posix.SpawnPipeline([new SpawnRequest("/bin/true", ["true"]), new SpawnRequest("/bin/true", ["true"]), new SpawnRequest("/bin/true", ["true"])]);
            Assert.All(pids, pid => Assert.True(Posix.WaitPid(pid).IsSuccess));
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(fdsBefore, ProcessInspector.SettledDescriptorCount());
    }

    private static SpawnRequest Sleep() => new("/bin/sleep", ["sleep", "30"]);

    private static string LinkOf(Pid pid, int fd) => LinkOf(pid.Value, fd);

    private static string LinkOf(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? "?";

    private static string Kind(string target) => target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe" : target;

    /// <summary>The listings of `ls -l /proc/self/fd` in <paramref name="text"/>, each as descriptor -> link target.</summary>
    private static List<Dictionary<int, string>> ParseListings(string text)
    {
        var listings = new List<Dictionary<int, string>>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("total ", StringComparison.Ordinal))
            {
                listings.Add([]);
                continue;
            }

            Match entry = LinkLine().Match(line);
            Assert.True(entry.Success, $"not an ls -l line: {line}");
            listings[^1][int.Parse(entry.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = entry.Groups[2].Value;
        }

        return listings;
    }

    [GeneratedRegex(@" (\d+) -> (.*)$")]
    private static partial Regex LinkLine();

    private static FileDescriptorHandle Open(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        Assert.True(fd >= 0);
        return new FileDescriptorHandle(fd, ownsHandle: true);
    }

    private static string ReadToEnd(FileDescriptorHandle fd)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = Posix.Read(fd, buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
