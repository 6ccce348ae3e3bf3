using System.Text.RegularExpressions;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>Pipeline is built on the C spawn path (fork-safe), so these run in the test host; they count zombies and descriptors, so serially.</summary>
[Collection(SerialChildProcesses.Name)]
public partial class PipelineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_PrintfSortHead_LastStagePrintsFirstSortedLine()
    {
        await using Pipeline pipeline = Pipeline.Start(
            [new PipelineStage("printf", "b\\na\\n"), new PipelineStage("sort"), new PipelineStage("head", "-n", "1")],
            new PipelineOptions { StandardOutput = StdioRedirect.Pipe });

        Assert.Null(pipeline.StandardInput);
        Assert.Equal("a\n", await ReadAllAsync(pipeline.StandardOutput!));
        PipelineResult result = await pipeline.WaitAsync().WaitAsync(Limit);
        Assert.True(result.IsSuccess);
        Assert.All(result.Stages, status => Assert.Equal(new WaitStatus.Exited(0), status));
    }

    [Fact]
    public async Task WaitAsync_TrueFalseTrue_LastStageSemanticsZeroPipefailOne()
    {
        PipelineStage[] stages = [new("true"), new("false"), new("true")];
        await using Pipeline sh = Pipeline.Start(stages);
        await using Pipeline pipefail = Pipeline.Start(stages, new PipelineOptions { StatusMode = PipelineStatusMode.Pipefail });

        PipelineResult last = await sh.WaitAsync().WaitAsync(Limit);
        PipelineResult failed = await pipefail.WaitAsync().WaitAsync(Limit);

        WaitStatus[] expected = [new WaitStatus.Exited(0), new WaitStatus.Exited(1), new WaitStatus.Exited(0)];
        Assert.Equal(expected, last.Stages);
        Assert.Equal(expected, failed.Stages);
        Assert.Equal((2, new WaitStatus.Exited(0), true), (last.StatusStage, last.Status, last.IsSuccess));
        Assert.Equal((1, new WaitStatus.Exited(1), false), (failed.StatusStage, failed.Status, failed.IsSuccess));
    }

    [Theory]
    [InlineData(PipelineStatusMode.LastStage, true)]
    [InlineData(PipelineStatusMode.Pipefail, false)]
    public async Task WaitAsync_YesHeadOne_YesEndsBySigpipe(PipelineStatusMode mode, bool success)
    {
        await using Pipeline pipeline = Pipeline.Start(
            [new PipelineStage("yes"), new PipelineStage("head", "-n", "1")],
            new PipelineOptions { StandardOutput = StdioRedirect.Pipe, StatusMode = mode });

        Assert.Equal("y\n", await ReadAllAsync(pipeline.StandardOutput!));
        PipelineResult result = await pipeline.WaitAsync().WaitAsync(Limit);
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGPIPE, false), result.Stages[0]);
        Assert.Equal(new WaitStatus.Exited(0), result.Stages[1]);
        Assert.Equal(success, result.IsSuccess);
        Assert.Equal(success ? result.Stages[1] : result.Stages[0], result.Status);
    }

    [Theory]
    [InlineData("no-such-program-anywhere", 1)]
    [InlineData("/no/such/program", 1)]
    [InlineData("/no/such/program", 2)]
    public void Start_MissingProgram_ThrowsSpawnExceptionNamingTheStageAndLeavesNothing(string program, int stage)
    {
        // The first exception thrown here opens the symbol files its stack trace reads: not a leak.
        Assert.Throws<SpawnException>(() => ChildProcess.Spawn("/no/such/program", []));
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        int childrenBefore = ProcessInspector.Children(Environment.ProcessId).Count;
        PipelineStage[] stages = [new("sleep", "30"), new("sleep", "30"), new("sleep", "30")];
        stages[stage] = new PipelineStage(program);

        var ex = Assert.Throws<SpawnException>(() => Pipeline.Start(stages, new PipelineOptions { StandardInput = StdioRedirect.Pipe, StandardOutput = StdioRedirect.Pipe }));

        Assert.Equal(stage, ex.PipelineStage);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
        Assert.Equal(SpawnStep.Exec, ex.Step);
        Assert.StartsWith($"spawn pipeline stage {stage} ({program}): ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(childrenBefore, ProcessInspector.Children(Environment.ProcessId).Count);
        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(fdsBefore, ProcessInspector.SettledDescriptorCount());
    }

    [Fact]
    public async Task Start_CatCatCat_InnerPipesNotOpenHereOuterEndsAre()
    {
        await using Pipeline pipeline = Pipeline.Start(
            [new PipelineStage("cat"), new PipelineStage("cat"), new PipelineStage("cat")],
            new PipelineOptions { StandardInput = StdioRedirect.Pipe, StandardOutput = StdioRedirect.Pipe });
        string[] ours = [.. ProcessInspector.OpenDescriptors().Select(fd => LinkOf(Environment.ProcessId, fd))];
        IReadOnlyList<ChildProcess> stages = pipeline.Stages;

        Assert.DoesNotContain(LinkOf(stages[0].Pid.Value, 1), ours);
        Assert.DoesNotContain(LinkOf(stages[1].Pid.Value, 1), ours);
        Assert.Contains(LinkOf(stages[0].Pid.Value, 0), ours);
        Assert.Contains(LinkOf(stages[2].Pid.Value, 1), ours);
        Assert.All(stages, stage => Assert.Equal(pipeline.ProcessGroup, Posix.GetProcessGroup(stage.Pid)));

        await pipeline.StandardInput!.WriteAsync("through three cats\n"u8.ToArray());
        pipeline.StandardInput.Dispose();
        Assert.Equal("through three cats\n", await ReadAllAsync(pipeline.StandardOutput!));
        Assert.True((await pipeline.WaitAsync().WaitAsync(Limit)).IsSuccess);
    }

    [Fact]
    public async Task Start_MiddleStageListsItsDescriptors_OnlyItsOwnPipesAtZeroAndOne()
    {
        await using Pipeline pipeline = Pipeline.Start(
        [
            new PipelineStage("true"),
            new PipelineStage("ls", "-l", "/proc/self/fd") { StandardError = StdioRedirect.Null },
            new PipelineStage("cat"),
        ], new PipelineOptions { StandardInput = StdioRedirect.Null, StandardOutput = StdioRedirect.Pipe });

        string listing = await ReadAllAsync(pipeline.StandardOutput!);
        Assert.True((await pipeline.WaitAsync().WaitAsync(Limit)).IsSuccess);
        Dictionary<int, string> fds = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => LinkLine().Match(line)).Where(m => m.Success)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Groups[2].Value);

        // 0 and 1 the pipeline's pipes, 2 /dev/null, 3 the directory ls opened to list itself.
        Assert.Equal(new[] { 0, 1, 2, 3 }, fds.Keys.Order().ToArray());
        Assert.StartsWith("pipe:", fds[0], StringComparison.Ordinal);
        Assert.StartsWith("pipe:", fds[1], StringComparison.Ordinal);
        Assert.NotEqual(fds[0], fds[1]);
        Assert.Equal("/dev/null", fds[2]);
        Assert.DoesNotContain("pipe:", fds[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InputFromFileDescriptor_LastStageCountsItsLines()
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "one\ntwo\nthree\n");
            using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(path);
            using var input = new FileDescriptorHandle((int)file.DangerousGetHandle(), ownsHandle: false);
            await using Pipeline pipeline = Pipeline.Start(
                [new PipelineStage("cat"), new PipelineStage("wc", "-l")],
                new PipelineOptions { StandardInput = StdioRedirect.Descriptor(input), StandardOutput = StdioRedirect.Pipe });

            Assert.Equal("3", (await ReadAllAsync(pipeline.StandardOutput!)).Trim());
            Assert.True((await pipeline.WaitAsync().WaitAsync(Limit)).IsSuccess);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Start_StageStderrPipe_ReadFromThatStage()
    {
        await using Pipeline pipeline = Pipeline.Start(
        [
            new PipelineStage("sh", "-c", "echo first-stage >&2; echo data") { StandardError = StdioRedirect.Pipe },
            new PipelineStage("cat"),
        ], new PipelineOptions { StandardOutput = StdioRedirect.Pipe });

        Assert.Equal("first-stage\n", await ReadAllAsync(pipeline.Stages[0].StandardError!));
        Assert.Null(pipeline.Stages[1].StandardError);
        Assert.Equal("data\n", await ReadAllAsync(pipeline.StandardOutput!));
        Assert.True((await pipeline.WaitAsync().WaitAsync(Limit)).IsSuccess);
    }

    [Fact]
    public async Task Signal_SleepingStages_EveryStageGetsItThroughTheGroup()
    {
        await using Pipeline pipeline = Pipeline.Start([new PipelineStage("sleep", "30"), new PipelineStage("sleep", "30"), new PipelineStage("sleep", "30")]);

        pipeline.Signal(Signal.SIGTERM);
        PipelineResult result = await pipeline.WaitAsync().WaitAsync(Limit);

        Assert.All(result.Stages, status => Assert.Equal(new WaitStatus.Signaled(Signal.SIGTERM, false), status));
        Assert.Throws<InvalidOperationException>(() => pipeline.Signal(Signal.SIGTERM));
        pipeline.Kill();
    }

    [Fact]
    public void Dispose_RunningPipeline_KillsAndReapsEveryStage()
    {
        Pipeline pipeline = Pipeline.Start([new PipelineStage("sleep", "30"), new PipelineStage("sleep", "30")], new PipelineOptions { StandardOutput = StdioRedirect.Pipe });
        IReadOnlyList<ChildProcess> stages = pipeline.Stages;

        pipeline.Dispose();

        Assert.True(pipeline.HasExited);
        Assert.All(stages, stage => Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), stage.Status));
        Assert.All(stages, stage => Assert.Null(ProcessInspector.State(stage.Pid.Value)));
    }

    [Fact]
    public async Task WaitAsync_CancelledToken_ThrowsAndStagesKeepRunning()
    {
        await using Pipeline pipeline = Pipeline.Start([new PipelineStage("sleep", "30"), new PipelineStage("sleep", "30")]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.WaitAsync(cts.Token));
        Assert.False(pipeline.HasExited);
        Assert.Null(pipeline.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Start_TwoHundredPipelines_NoDescriptorGrowthNoZombies()
    {
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 200; i++)
        {
            using Pipeline pipeline = Pipeline.Start(
                [new PipelineStage("/bin/true"), new PipelineStage("/bin/true"), new PipelineStage("/bin/true")],
                new PipelineOptions { StandardInput = StdioRedirect.Pipe, StandardOutput = StdioRedirect.Pipe });
            Assert.True(pipeline.Wait().IsSuccess);
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(fdsBefore, ProcessInspector.SettledDescriptorCount());
    }

    [Fact]
    public void Start_StandardStreamAsExtraDescriptor_ThrowsArgumentException()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.Throws<ArgumentException>(() => Pipeline.Start([new PipelineStage("true") { ExtraDescriptors = [new DescriptorMapping(1, pipe.Write)] }, new PipelineStage("true")]));
        Assert.Throws<ArgumentException>(() => Pipeline.Start([]));
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().WaitAsync(Limit);
    }

    private static string LinkOf(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget ?? "?";

    [GeneratedRegex(@" (\d+) -> (.*)$")]
    private static partial Regex LinkLine();
}
