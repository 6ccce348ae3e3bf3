using System.Diagnostics;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>Spawn is fork-safe (fork+exec in C), so these run inside the multi-threaded test host.</summary>
[Collection(SerialChildProcesses.Name)]
public class SpawnTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Spawn_EchoWithStdoutPipe_OutputCaptured()
    {
        using ChildProcess child = ChildProcess.Spawn("echo", ["hello", "two words"], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
        using var reader = new StreamReader(child.StandardOutput!);
        string output = await reader.ReadToEndAsync().WaitAsync(Limit);
        Assert.Equal("hello two words\n", output);
        Assert.True((await child.WaitAsync().WaitAsync(Limit)).IsSuccess);
    }

    [Fact]
    public async Task Spawn_CatWithBothPipes_RoundTripsInput()
    {
        using ChildProcess child = ChildProcess.Spawn("/bin/cat", [], new SpawnOptions { StandardInput = StdioRedirect.Pipe, StandardOutput = StdioRedirect.Pipe });
        await child.StandardInput!.WriteAsync("line one\nline two\n"u8.ToArray());
        child.StandardInput.Dispose();
        using var reader = new StreamReader(child.StandardOutput!);
        Assert.Equal("line one\nline two\n", await reader.ReadToEndAsync().WaitAsync(Limit));
        Assert.Equal(new WaitStatus.Exited(0), child.Wait());
    }

    [Fact]
    public void Spawn_MissingProgram_ThrowsENOENTAndLeavesNoZombie()
    {
        var ex = Assert.Throws<SpawnException>(() => ChildProcess.Spawn("/no/such/program", []));
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
        Assert.Equal(SpawnStep.Exec, ex.Step);
        var bare = Assert.Throws<SpawnException>(() => ChildProcess.Spawn("no-such-program-anywhere", []));
        Assert.Equal(PosixErrno.ENOENT, bare.Errno);
        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
    }

    [Fact]
    public void Spawn_ExtraDescriptor_ChildSeesOnlyWhatItWasGiven()
    {
        using PipeEnds extra = Posix.Pipe();
        using ChildProcess child = ChildProcess.Spawn("ls", ["/proc/self/fd"], new SpawnOptions
        {
            StandardInput = StdioRedirect.Null,
            StandardOutput = StdioRedirect.Pipe,
            StandardError = StdioRedirect.Null,
            ExtraDescriptors = [new DescriptorMapping(3, extra.Write)],
        });
        using var reader = new StreamReader(child.StandardOutput!);
        int[] fds = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order().ToArray();
        Assert.True(child.Wait().IsSuccess);
        // 0-2 as given, 3 passed on purpose, 4 the directory ls opened itself. The test host
        // has dozens of descriptors open; none leaked.
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, fds);
    }

    [Fact]
    public void Spawn_EnvironmentChanges_AppliedAndRemoved()
    {
        Environment.SetEnvironmentVariable("POSIXPROCS_TEST_REMOVED", "present");
        using ChildProcess child = ChildProcess.Spawn("/usr/bin/env", [], new SpawnOptions
        {
            StandardOutput = StdioRedirect.Pipe,
            Environment = new Dictionary<string, string?> { ["POSIXPROCS_TEST_ADDED"] = "yes", ["POSIXPROCS_TEST_REMOVED"] = null },
        });
        using var reader = new StreamReader(child.StandardOutput!);
        string[] lines = reader.ReadToEnd().Split('\n');
        child.Wait();
        Assert.Contains("POSIXPROCS_TEST_ADDED=yes", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("POSIXPROCS_TEST_REMOVED=", StringComparison.Ordinal));
    }

    [Fact]
    public void Wait_Timeout_FalseWhileRunningThenTerminateReaps()
    {
        using ChildProcess child = ChildProcess.Spawn("sleep", ["30"]);
        Assert.False(child.Wait(TimeSpan.FromMilliseconds(50)));
        Assert.Same(WaitStatus.StillRunning.Instance, child.TryWait());
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGTERM, false), child.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Throws<InvalidOperationException>(() => child.Signal(Signal.SIGTERM));
    }

    [Fact]
    public void Dispose_RunningChild_KilledAndReaped()
    {
        ChildProcess child = ChildProcess.Spawn("sleep", ["30"]);
        Pid pid = child.Pid;
        child.Dispose();
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), child.Status);
        Assert.Null(ProcessInspector.State(pid.Value));
    }

    [Fact]
    public async Task WaitAsync_CancelledToken_ThrowsAndChildKeepsRunning()
    {
        using ChildProcess child = ChildProcess.Spawn("sleep", ["30"]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => child.WaitAsync(cts.Token));
        Assert.False(child.HasExited);
    }

    [Fact]
    public async Task WaitAsync_FiftyChildren_DoNotParkAThreadEach()
    {
        int threadsBefore = Directory.GetDirectories("/proc/self/task").Length;
        var children = Enumerable.Range(0, 50).Select(_ => ChildProcess.Spawn("sleep", ["0.3"])).ToList();
        Task<WaitStatus[]> all = Task.WhenAll(children.Select(c => c.WaitAsync()));
        await Task.Delay(100);
        int threadsWhileWaiting = Directory.GetDirectories("/proc/self/task").Length;
        WaitStatus[] statuses = await all.WaitAsync(Limit);
        children.ForEach(c => c.Dispose());
        Assert.All(statuses, s => Assert.True(s.IsSuccess));
        Assert.InRange(threadsWhileWaiting - threadsBefore, int.MinValue, 5);
    }

    [Fact]
    public async Task SystemDiagnosticsProcess_SideBySide_BothReapTheirOwnChildren()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exit 7"]))!;
        using ChildProcess child = ChildProcess.Spawn("/bin/sh", ["-c", "exit 9"]);
        await process.WaitForExitAsync().WaitAsync(Limit);
        Assert.Equal(7, process.ExitCode);
        Assert.Equal(new WaitStatus.Exited(9), await child.WaitAsync().WaitAsync(Limit));
    }

    [Fact]
    public void Spawn_TwoHundredChildren_NoZombiesNoDescriptorGrowth()
    {
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 200; i++)
        {
            using ChildProcess child = ChildProcess.Spawn("/bin/true", [], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
            Assert.True(child.Wait().IsSuccess);
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(fdsBefore, ProcessInspector.SettledDescriptorCount());
    }

    [Fact]
    public void Spawn_StandardDescriptorInExtras_ThrowsArgumentException()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.Throws<ArgumentException>(() => ChildProcess.Spawn("/bin/true", [], new SpawnOptions { ExtraDescriptors = [new DescriptorMapping(1, pipe.Write)] }));
    }
}
