using System.Text;
using Mono.Unix.Native;
using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

[Collection(SerialChildProcesses.Name)]
public class SpawnTests
{
    [Fact]
    public void Spawn_True_ExitsZero()
    {
        Pid pid = Posix.Spawn(new SpawnRequest("/bin/true", ["true"]));
        Assert.Equal(new WaitStatus.Exited(0), Posix.WaitPid(pid));
    }

    [Fact]
    public void Spawn_SoftLimitLeavesOnlyTheErrorPipesNumbers_ChildStillStarts()
    {
        ScenarioResult result = Helper.Run(nameof(SpawnScenarios.SpawnNearDescriptorLimit));
        Assert.True(result.ExitCode == 0, result.ToString());

        // 0 or 1 numbers free: the parent cannot open its exec-error pipe (typed EMFILE);
        // from 2 on, the child must start: it needs no number the parent did not have.
        Assert.Equal("0:Pipe:EMFILE 1:Pipe:EMFILE 2:ok 3:ok 4:ok 5:ok 6:ok", result.Values["outcomes"]);
        Assert.Equal("ok2,ok3,ok4,ok5,ok6", result.Values["received"]);
        Assert.Equal("False", result.Values["leftBehind"]);
    }

    [Fact]
    public void Spawn_MissingProgram_ThrowsENOENTAndLeavesNoZombie()
    {
        int zombiesBefore = ProcessInspector.Zombies(Environment.ProcessId).Count;
        var ex = Assert.Throws<SpawnException>(() => Posix.Spawn(new SpawnRequest("/no/such/program", ["x"])));
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
        Assert.Equal(SpawnStep.Exec, ex.Step);
        Assert.Equal("spawn /no/such/program: execve: ENOENT (No such file or directory)", ex.Message);
        Assert.Equal(zombiesBefore, ProcessInspector.Zombies(Environment.ProcessId).Count);
    }

    [Fact]
    public void Spawn_NotExecutable_ThrowsEACCES()
    {
        string path = Path.GetTempFileName();
        try
        {
            var ex = Assert.Throws<SpawnException>(() => Posix.Spawn(new SpawnRequest(path, ["x"])));
            Assert.Equal(PosixErrno.EACCES, ex.Errno);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Spawn_EchoWithStdoutPipe_ArgumentsArriveExactly()
    {
        string output = RunCapturingStdout("/bin/echo", ["echo", "a b", "$HOME", "*"]);
        Assert.Equal("a b $HOME *\n", output);
    }

    [Fact]
    public void Spawn_ChildDescriptorTable_HoldsOnlyMappedDescriptors()
    {
        // A descriptor that is NOT close-on-exec in the parent must still not leak.
        using PipeEnds extra = Posix.Pipe();
        using FileDescriptorHandle inheritable = Posix.Dup2(extra.Write, 150);
        Assert.False(inheritable.CloseOnExec);
        using FileDescriptorHandle devNull = Open("/dev/null");

        string listing = RunCapturingStdout("/bin/ls", ["ls", "/proc/self/fd"], new DescriptorMapping(0, devNull), new DescriptorMapping(5, extra.Read));
        int[] fds = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order().ToArray();
        // 0, 1 (the capture pipe), 5, and 2: the directory ls itself opened to list
        // /proc/self/fd, which gets the lowest free number since no stderr was given.
        Assert.Equal(new[] { 0, 1, 2, 5 }, fds);
    }

    [Fact]
    public void Spawn_WorkingDirectory_IsApplied()
    {
        Assert.Equal("/tmp\n", RunCapturingStdout("/bin/pwd", ["pwd"], workingDirectory: "/tmp"));
    }

    [Fact]
    public void Spawn_MissingWorkingDirectory_ThrowsChdirENOENT()
    {
        var ex = Assert.Throws<SpawnException>(() => Posix.Spawn(new SpawnRequest("/bin/true", ["true"]) { WorkingDirectory = "/no/such/dir" }));
        Assert.Equal(SpawnStep.WorkingDirectory, ex.Step);
        Assert.Equal("chdir", ex.CallName);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Fact]
    public void Spawn_OpenFilesLimit_IsSetInChild()
    {
        string output = RunCapturingStdout("/bin/sh", ["sh", "-c", "ulimit -n"], limits: [ResourceLimit.Fixed(ResourceKind.OpenFiles, 64)]);
        Assert.Equal("64\n", output);
    }

    [Fact]
    public void Spawn_RuntimeIgnoresSigpipe_ChildHasDefaultDispositionsAndEmptyMask()
    {
        string status = RunCapturingStdout("/bin/cat", ["cat", "/proc/self/status"]);
        string Field(string name) => status.Split('\n').Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim();
        Assert.Equal("0000000000000000", Field("SigIgn"));
        Assert.Equal("0000000000000000", Field("SigBlk"));
    }

    [Fact]
    public void Spawn_NewProcessGroup_ChildLeadsItsGroup()
    {
        Pid pid = Posix.Spawn(new SpawnRequest("/bin/sleep", ["sleep", "30"]) { NewProcessGroup = true });
        try
        {
            Assert.Equal(pid, Posix.GetProcessGroup(pid));
            Assert.NotEqual(Posix.GetProcessGroup(), Posix.GetProcessGroup(pid));
        }
        finally
        {
            Posix.KillProcessGroup(pid, Signal.SIGKILL);
            Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), Posix.WaitPid(pid));
        }
    }

    [Fact]
    public void Spawn_DuplicateChildDescriptor_ThrowsArgumentException()
    {
        using FileDescriptorHandle devNull = Open("/dev/null");
        Assert.Throws<ArgumentException>(() => Posix.Spawn(new SpawnRequest("/bin/true", ["true"])
        {
            Descriptors = [new DescriptorMapping(1, devNull), new DescriptorMapping(1, devNull)],
        }));
    }

    [Fact]
    public void Spawn_TwoHundredChildren_NoZombiesNoDescriptorGrowth()
    {
        int fdsBefore = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 200; i++)
        {
            Pid pid = Posix.Spawn(new SpawnRequest("/bin/true", ["true"]));
            Assert.True(Posix.WaitPid(pid).IsSuccess);
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.InRange(ProcessInspector.SettledDescriptorCount(), 0, fdsBefore); // growth is a leak; a fall is someone else's close
    }

    private static FileDescriptorHandle Open(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        Assert.True(fd >= 0);
        return new FileDescriptorHandle(fd, ownsHandle: true);
    }

    private static string RunCapturingStdout(string path, string[] argv, params DescriptorMapping[] extra) =>
        RunCapturingStdout(path, argv, null, [], extra);

    private static string RunCapturingStdout(string path, string[] argv, string? workingDirectory = null, ResourceLimit[]? limits = null, params DescriptorMapping[] extra)
    {
        using PipeEnds stdout = Posix.Pipe();
        Pid pid = Posix.Spawn(new SpawnRequest(path, argv)
        {
            Descriptors = [new DescriptorMapping(1, stdout.Write), .. extra],
            WorkingDirectory = workingDirectory,
            ResourceLimits = limits ?? [],
        });
        stdout.Write.Dispose();
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = Posix.Read(stdout.Read, buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.True(Posix.WaitPid(pid).IsSuccess);
        return text.ToString();
    }
}
