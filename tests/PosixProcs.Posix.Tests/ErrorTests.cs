namespace PosixProcs.PosixTests;

public class ErrorTests
{
    /// <summary>
    /// A descriptor number that was open and is now closed, and that no parallel test will be
    /// given meanwhile: new descriptors take the lowest free number, far below this one.
    /// </summary>
    private static int ClosedHighNumber()
    {
        using PipeEnds pipe = Posix.Pipe();
        using FileDescriptorHandle high = Posix.Dup2(pipe.Read, 900);
        return high.Number;
    }

    [Fact]
    public void Close_ClosedDescriptor_MapsToEBADF()
    {
        int number = ClosedHighNumber();
        Assert.Equal(-1, Interop.close(number));
        PosixException ex = Errors.Last("close");
        Assert.Equal(PosixErrno.EBADF, ex.Errno);
        Assert.Equal("close: EBADF (Bad file descriptor)", ex.Message);
    }

    [Fact]
    public void Read_ClosedDescriptorNumber_ThrowsEBADF()
    {
        int number = ClosedHighNumber();
        using var stale = new FileDescriptorHandle(number, ownsHandle: false);
        var ex = Assert.Throws<PosixException>(() => Posix.Read(stale, new byte[1]));
        Assert.Equal(PosixErrno.EBADF, ex.Errno);
    }

    [Fact]
    public void WaitPid_NotAChild_ThrowsECHILD()
    {
        var ex = Assert.Throws<PosixException>(() => Posix.WaitPid(new Pid(1)));
        Assert.Equal(PosixErrno.ECHILD, ex.Errno);
        Assert.Equal("waitpid", ex.CallName);
        Assert.Equal("ECHILD", ex.ErrnoName);
        Assert.Equal(Interop.GetPlatformConstant((int)NativeConstant.ECHILD), ex.NativeErrno);
    }

    [Fact]
    public void WaitPid_NonPositivePid_ThrowsBeforeAnySyscall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.WaitPid(new Pid(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.WaitPid(new Pid(0)));
    }

    [Fact]
    public void Kill_NoSuchProcess_ThrowsESRCH()
    {
        // Pids above pid_max are never in use.
        var ex = Assert.Throws<PosixException>(() => Posix.Kill(new Pid(int.MaxValue), Signal.SIGTERM));
        Assert.Equal(PosixErrno.ESRCH, ex.Errno);
    }

    [Theory]
    [InlineData(PosixErrno.EAGAIN, "EAGAIN")]
    [InlineData(PosixErrno.ENOTSUP, "ENOTSUP")]
    [InlineData(PosixErrno.EMFILE, "EMFILE")]
    public void ErrnoName_Aliases_ResolveToOneName(PosixErrno errno, string expected)
    {
        Assert.Equal(expected, ErrnoNames.Name(errno));
    }

    [Fact]
    public void ErrnoName_NativeEagain_IsEAGAINNotEWOULDBLOCK()
    {
        Assert.Equal("EAGAIN", ErrnoNames.Name(Errors.FromNative(Interop.GetPlatformConstant((int)NativeConstant.EAGAIN))));
    }

    [Fact]
    public void PosixException_Message_ReadsLikeC()
    {
        var ex = new PosixException("pipe2", PosixErrno.EMFILE);
        Assert.Equal("pipe2: EMFILE (Too many open files)", ex.Message);
    }

    [Fact]
    public void Dup2_ThenClose_NewNumberRefersToSamePipe()
    {
        using PipeEnds pipe = Posix.Pipe();
        using FileDescriptorHandle copy = Posix.Dup2(pipe.Write, 200);
        Assert.Equal(200, copy.Number);
        Assert.False(copy.CloseOnExec);
        Posix.WriteAll(copy, [42]);
        var buffer = new byte[1];
        Posix.Read(pipe.Read, buffer);
        Assert.Equal(42, buffer[0]);
    }
}
