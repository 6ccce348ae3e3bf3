using System.Globalization;
using System.Text;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>RunAsync and RunLinesAsync: real programs, real pipes, real process groups.</summary>
public class RunTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_ProgramWritingBothStreams_ReturnsStatusOutputsAndUsage()
    {
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", "echo out; echo err >&2"]).WaitAsync(Limit);
        Assert.Equal(new WaitStatus.Exited(0), result.Status);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.IsSuccess);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
        Assert.True(result.Duration > TimeSpan.Zero);
        Assert.True(result.PeakMemoryBytes > 0);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ThrowsWithResultAndStderrInMessage()
    {
        var ex = await Assert.ThrowsAsync<NonZeroExitException>(() =>
            ChildProcess.RunAsync("sh", ["-c", "echo partial; echo 'it went wrong' >&2; exit 3"]).WaitAsync(Limit));
        Assert.Equal(3, ex.Result.ExitCode);
        Assert.Equal("partial\n", ex.Result.StandardOutput);
        Assert.Contains("it went wrong", ex.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NonZeroExitNotThrowing_ReturnsResult()
    {
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", "kill -KILL $$"], new RunOptions { ThrowOnNonZeroExit = false }).WaitAsync(Limit);
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), result.Status);
        Assert.Null(result.ExitCode);
        Assert.False(result.IsSuccess);
    }

    [Fact]
    public async Task RunAsync_TextInput_ReachesStdinEncoded()
    {
        RunResult result = await ChildProcess.RunAsync("cat", [], new RunOptions { Input = RunInput.FromText("héllo wörld\nline two\n") }).WaitAsync(Limit);
        Assert.Equal("héllo wörld\nline two\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_StreamInput_ReadToItsEnd()
    {
        byte[] data = new byte[3_000_000];
        new Random(7).NextBytes(data);
        using var source = new MemoryStream(data);
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", "wc -c; echo done >&2"], new RunOptions { Input = RunInput.FromStream(source) }).WaitAsync(Limit);
        Assert.Equal("3000000", result.StandardOutput.Trim());
        Assert.Equal(data.Length, source.Position);
    }

    [Fact]
    public async Task RunAsync_BytesInputToProgramThatReadsNothing_NoBrokenPipeError()
    {
        RunResult result = await ChildProcess.RunAsync("true", [], new RunOptions { Input = RunInput.FromBytes(new byte[4_000_000]) }).WaitAsync(Limit);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task RunAsync_TenMegabytesOnStdoutAndStderrAtOnce_NoDeadlock()
    {
        // Both written at the same time: reading one stream to its end before the other would
        // leave the program blocked on the full pipe of the other for ever.
        const string script = "head -c 10000000 /dev/zero | tr '\\0' a & head -c 10000000 /dev/zero | tr '\\0' b >&2; wait";
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", script]).WaitAsync(Limit);
        Assert.Equal(10_000_000, result.StandardOutput.Length);
        Assert.Equal(10_000_000, result.StandardError.Length);
        Assert.DoesNotContain(result.StandardOutput, c => c != 'a');
        Assert.DoesNotContain(result.StandardError, c => c != 'b');
    }

    [Fact]
    public async Task RunAsync_Timeout_EndsTheWholeGroupAndThrows()
    {
        string marker = UniqueSleepArgument();
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => ChildProcess.RunAsync(
            "sh", ["-c", $"sleep {marker} & sleep {marker}"], new RunOptions { Timeout = TimeSpan.FromSeconds(1) }).WaitAsync(Limit));
        Assert.Contains("process group has been ended", ex.Message, StringComparison.Ordinal);
        await AssertNoSurvivorAsync(marker);
    }

    [Fact]
    public async Task RunAsync_Cancelled_EndsTheWholeGroupAndThrows()
    {
        string marker = UniqueSleepArgument();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChildProcess.RunAsync(
            "sh", ["-c", $"sleep {marker} & sleep {marker}"], cancellationToken: cts.Token).WaitAsync(Limit));
        await AssertNoSurvivorAsync(marker);
    }

    [Fact]
    public async Task RunAsync_ProgramIgnoringSigterm_KilledAfterGracePeriod()
    {
        string marker = UniqueSleepArgument();
        await Assert.ThrowsAsync<TimeoutException>(() => ChildProcess.RunAsync(
            "sh", ["-c", $"trap '' TERM; sleep {marker}"],
            new RunOptions { Timeout = TimeSpan.FromSeconds(1), GracePeriod = TimeSpan.FromMilliseconds(200) }).WaitAsync(Limit));
        await AssertNoSurvivorAsync(marker);
    }

    [Fact]
    public async Task RunAsync_BadOptions_ThrowArgumentExceptionBeforeSpawning()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChildProcess.RunAsync("true", [], new RunOptions { Timeout = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ChildProcess.RunAsync("true", [], new RunOptions { GracePeriod = TimeSpan.FromSeconds(-1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => ChildProcess.RunAsync(string.Empty, []));
        Assert.Throws<ArgumentException>(() => RunInput.FromStream(new WriteOnlyStream()));
    }

    [Fact]
    public async Task RunAsync_MissingProgram_ThrowsSpawnException()
    {
        var ex = await Assert.ThrowsAsync<SpawnException>(() => ChildProcess.RunAsync("/no/such/program", []));
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Fact]
    public async Task RunAsync_ProgramAllocatingFiftyMegabytesMoreThanThisProcess_PeakMemoryAtLeastThat()
    {
        // On Linux a child's ru_maxrss is never below its parent's peak (the kernel counts the
        // address space before exec), so the program must use more than this test host to be seen.
        long bytes = OwnPeakResidentBytes() + 50_000_000;
        RunResult result = await ChildProcess.RunAsync("python3", ["-c", $"x = b'a' * {bytes}"]).WaitAsync(Limit);
        Assert.InRange(result.PeakMemoryBytes, bytes, long.MaxValue);
    }

    [Fact]
    public async Task RunAsync_SmallProgramAfterLargeOne_ReportsItsOwnPeakNotTheLargest()
    {
        // getrusage(RUSAGE_CHILDREN) would report the largest child ever reaped (the large one);
        // wait4 reports this child's own peak, which is at most this process's (see above).
        long large = OwnPeakResidentBytes() + 50_000_000;
        await ChildProcess.RunAsync("python3", ["-c", $"x = b'a' * {large}"]).WaitAsync(Limit);
        RunResult small = await ChildProcess.RunAsync("true", []).WaitAsync(Limit);
        Assert.InRange(small.PeakMemoryBytes, 1, Math.Min(OwnPeakResidentBytes() + 20_000_000, large - 1));
    }

    /// <summary>This process's peak resident set (VmHWM), in bytes.</summary>
    private static long OwnPeakResidentBytes()
    {
        string line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    [Fact]
    public async Task RunAsync_EnvironmentAndWorkingDirectory_Applied()
    {
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", "echo \"$RUN_TEST_VALUE\"; pwd"], new RunOptions
        {
            Environment = new Dictionary<string, string?> { ["RUN_TEST_VALUE"] = "set" },
            WorkingDirectory = "/tmp",
        }).WaitAsync(Limit);
        Assert.Equal("set\n/tmp\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_Program_RunsInItsOwnProcessGroup()
    {
        RunResult result = await ChildProcess.RunAsync("sh", ["-c", "echo $$ $(ps -o pgid= -p $$)"]).WaitAsync(Limit);
        string[] ids = result.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(Posix.GetProcessGroup().Value.ToString(CultureInfo.InvariantCulture), ids[1]);
    }

    [Fact]
    public async Task RunLinesAsync_LinesArriveWhileProgramRuns()
    {
        // The program cannot end before it reads a line that is written only after its first line arrived.
        using PipeEnds pipe = Posix.Pipe();
        await using var toProgram = new FileDescriptorStream(pipe.Write, FileAccess.Write);
        await using var input = new FileDescriptorStream(pipe.Read, FileAccess.Read);
        var seen = new List<OutputLine>();
        var options = new RunOptions { Input = RunInput.FromStream(input) };
        await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", "echo first; read answer; echo \"got $answer\" >&2"], options).WithCancellation(CancellationToken.None))
        {
            seen.Add(line);
            if (seen.Count == 1)
            {
                await toProgram.WriteAsync("go\n"u8.ToArray());
                await toProgram.DisposeAsync();
            }
        }

        Assert.Equal([new OutputLine(OutputSource.StandardOutput, "first"), new OutputLine(OutputSource.StandardError, "got go")], seen);
    }

    [Fact]
    public async Task RunLinesAsync_ConsumerStopsEarly_EndsTheWholeGroup()
    {
        string marker = UniqueSleepArgument();
        await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", $"sleep {marker} & echo started; sleep {marker}"]))
        {
            Assert.Equal("started", line.Text);
            break;
        }

        await AssertNoSurvivorAsync(marker);
    }

    [Fact]
    public async Task RunLinesAsync_ConsumerStopsEarlyOnFailingProgram_NothingThrown()
    {
        // Whether the program has failed yet or not when the consumer leaves, leaving is quiet.
        for (int i = 0; i < 5; i++)
        {
            await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", "echo a; exit 3"]))
            {
                Assert.Equal("a", line.Text);
                break;
            }
        }
    }

    [Fact]
    public async Task RunLinesAsync_NonZeroExit_ThrowsWithStderrTail()
    {
        var lines = new List<string>();
        var ex = await Assert.ThrowsAsync<NonZeroExitException>(async () =>
        {
            await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", "for i in $(seq 1 30); do echo e$i >&2; done; echo last; exit 4"]))
            {
                lines.Add(line.Text);
            }
        });
        Assert.Equal(31, lines.Count);
        Assert.Equal(4, ex.Result.ExitCode);
        Assert.Equal(string.Join(string.Empty, Enumerable.Range(11, 20).Select(i => $"e{i}\n")), ex.Result.StandardError);
        Assert.Contains("e30", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunLinesAsync_Timeout_ThrowsTimeoutException()
    {
        string marker = UniqueSleepArgument();
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", $"echo hi; sleep {marker}"], new RunOptions { Timeout = TimeSpan.FromSeconds(1) }))
            {
                Assert.Equal("hi", line.Text);
            }
        });
        await AssertNoSurvivorAsync(marker);
    }

    /// <summary>A sleep duration no other process has on its command line, to find the run's processes in /proc.</summary>
    private static string UniqueSleepArgument() => string.Create(CultureInfo.InvariantCulture, $"1000.{Random.Shared.Next(100_000, 999_999)}");

    /// <summary>Waits (bounded) until no live process has <paramref name="marker"/> in its command line; zombies waiting for init do not count.</summary>
    private static async Task AssertNoSurvivorAsync(string marker)
    {
        long deadline = Environment.TickCount64 + (long)Limit.TotalMilliseconds;
        List<int> alive;
        while ((alive = LiveProcessesWith(marker)).Count > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Empty(alive);
    }

    private static List<int> LiveProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal) && ProcessInspector.State(pid) is { } state && state != 'Z')
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        return found;
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}

/// <summary>Runs that count descriptors and zombies: alone, after the parallel tests.</summary>
[Collection(SerialChildProcesses.Name)]
public class RunLeakTests
{
    [Fact]
    public async Task RunAsync_HundredRuns_NoDescriptorGrowthNoZombies()
    {
        await ChildProcess.RunAsync("true", [], new RunOptions { Input = RunInput.FromText("x") }); // the reactor's own descriptors, opened once
        int before = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 100; i++)
        {
            RunResult result = await ChildProcess.RunAsync("sh", ["-c", "cat; echo e >&2"], new RunOptions { Input = RunInput.FromText("x") });
            Assert.Equal("x", result.StandardOutput);
        }

        for (int i = 0; i < 10; i++)
        {
            await foreach (OutputLine line in ChildProcess.RunLinesAsync("sh", ["-c", "echo a; echo b"]))
            {
                Assert.Equal("a", line.Text);
                break;
            }
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(before, ProcessInspector.SettledDescriptorCount());
    }
}
