namespace PosixProcs.PosixTests;

[Collection(SerialChildProcesses.Name)]
public class WaitPidWithUsageTests
{
    [Fact]
    public void WaitPidWithUsage_RunningChildNoHang_StillRunningWithoutUsage()
    {
        Pid pid = Posix.Spawn(new SpawnRequest("/bin/sleep", ["sleep", "30"]));
        try
        {
            Assert.Same(WaitStatus.StillRunning.Instance, Posix.WaitPidWithUsage(pid, out ResourceUsage? usage, WaitOptions.NoHang));
            Assert.Null(usage);
        }
        finally
        {
            Posix.Kill(pid, Signal.SIGKILL);
            Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false), Posix.WaitPidWithUsage(pid, out ResourceUsage? usage));
            Assert.NotNull(usage);
        }
    }

    [Fact]
    public void WaitPidWithUsage_BusyChild_ReportsItsOwnCpuTimeAndPeak()
    {
        // A shell loop that burns CPU: its user+system time is that child's own, in microseconds.
        Pid pid = Posix.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]));
        WaitStatus status = Posix.WaitPidWithUsage(pid, out ResourceUsage? usage);
        Assert.Equal(new WaitStatus.Exited(0), status);
        Assert.NotNull(usage);
        Assert.True(usage.UserTime + usage.SystemTime > TimeSpan.Zero);
        Assert.True(usage.MaxResidentSetBytes > 0);
    }

    [Fact]
    public void WaitPidWithUsage_NotAChild_ThrowsECHILD()
    {
        var ex = Assert.Throws<PosixException>(() => Posix.WaitPidWithUsage(new Pid(1), out _));
        Assert.Equal(PosixErrno.ECHILD, ex.Errno);
        Assert.Equal("wait4", ex.CallName);
    }
}
