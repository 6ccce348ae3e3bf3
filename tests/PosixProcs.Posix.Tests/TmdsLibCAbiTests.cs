using Tmds.Linux;

namespace PosixProcs.PosixTests;

/// <summary>
/// The shim's constants (from the C headers it was compiled against) compared with Tmds.LibC's
/// values (from glibc's headers, per architecture): two independent readings of one ABI.
/// Linux only, as Tmds.LibC is.
/// </summary>
public class TmdsLibCAbiTests
{
    public static TheoryData<NativeConstant, int> Constants => new()
    {
        { NativeConstant.SIGHUP, LibC.SIGHUP }, { NativeConstant.SIGINT, LibC.SIGINT }, { NativeConstant.SIGQUIT, LibC.SIGQUIT },
        { NativeConstant.SIGILL, LibC.SIGILL }, { NativeConstant.SIGABRT, LibC.SIGABRT }, { NativeConstant.SIGFPE, LibC.SIGFPE },
        { NativeConstant.SIGKILL, LibC.SIGKILL }, { NativeConstant.SIGSEGV, LibC.SIGSEGV }, { NativeConstant.SIGPIPE, LibC.SIGPIPE },
        { NativeConstant.SIGALRM, LibC.SIGALRM }, { NativeConstant.SIGTERM, LibC.SIGTERM }, { NativeConstant.SIGUSR1, LibC.SIGUSR1 },
        { NativeConstant.SIGUSR2, LibC.SIGUSR2 }, { NativeConstant.SIGCHLD, LibC.SIGCHLD }, { NativeConstant.SIGCONT, LibC.SIGCONT },
        { NativeConstant.SIGSTOP, LibC.SIGSTOP }, { NativeConstant.SIGTSTP, LibC.SIGTSTP }, { NativeConstant.SIGBUS, LibC.SIGBUS },
        { NativeConstant.SIGXCPU, LibC.SIGXCPU }, { NativeConstant.SIGTTIN, LibC.SIGTTIN }, { NativeConstant.SIGTTOU, LibC.SIGTTOU },
        { NativeConstant.SIGWINCH, LibC.SIGWINCH }, { NativeConstant.SIGTRAP, LibC.SIGTRAP }, { NativeConstant.SIGSYS, LibC.SIGSYS },
        { NativeConstant.SIGURG, LibC.SIGURG }, { NativeConstant.SIGIO, LibC.SIGIO }, { NativeConstant.SIGPROF, LibC.SIGPROF },
        { NativeConstant.SIGVTALRM, LibC.SIGVTALRM }, { NativeConstant.SIGXFSZ, LibC.SIGXFSZ },
        { NativeConstant.EPERM, LibC.EPERM }, { NativeConstant.ENOENT, LibC.ENOENT }, { NativeConstant.ESRCH, LibC.ESRCH },
        { NativeConstant.EINTR, LibC.EINTR }, { NativeConstant.EBADF, LibC.EBADF }, { NativeConstant.ECHILD, LibC.ECHILD },
        { NativeConstant.EAGAIN, LibC.EAGAIN }, { NativeConstant.ENOMEM, LibC.ENOMEM }, { NativeConstant.EACCES, LibC.EACCES },
        { NativeConstant.EEXIST, LibC.EEXIST }, { NativeConstant.EINVAL, LibC.EINVAL }, { NativeConstant.EMFILE, LibC.EMFILE },
        { NativeConstant.EPIPE, LibC.EPIPE }, { NativeConstant.ENOSYS, LibC.ENOSYS }, { NativeConstant.ETIMEDOUT, LibC.ETIMEDOUT },
        { NativeConstant.ENOEXEC, LibC.ENOEXEC }, { NativeConstant.ENOTSUP, LibC.ENOTSUP },
        { NativeConstant.MAP_SHARED, LibC.MAP_SHARED }, { NativeConstant.MAP_PRIVATE, LibC.MAP_PRIVATE },
        { NativeConstant.MAP_ANONYMOUS, LibC.MAP_ANONYMOUS }, { NativeConstant.PROT_READ, LibC.PROT_READ },
        { NativeConstant.PROT_WRITE, LibC.PROT_WRITE }, { NativeConstant.O_CLOEXEC, LibC.O_CLOEXEC },
        { NativeConstant.O_NONBLOCK, LibC.O_NONBLOCK }, { NativeConstant.MS_SYNC, LibC.MS_SYNC }, { NativeConstant.MS_ASYNC, LibC.MS_ASYNC },
    };

    [Theory]
    [MemberData(nameof(Constants))]
    public void PlatformConstant_Shim_MatchesTmdsLibC(NativeConstant id, int tmdsValue)
    {
        Assert.Equal(tmdsValue, Interop.GetPlatformConstant((int)id));
    }

    public static TheoryData<PosixErrno> PortableErrnos => new(Enum.GetValues<PosixErrno>().Where(e => e != PosixErrno.Unknown));

    [Theory]
    [MemberData(nameof(PortableErrnos))]
    public void PosixErrno_NativeValue_MatchesTmdsLibC(PosixErrno errno)
    {
        int tmdsValue = (int)typeof(LibC).GetProperty(errno.ToString())!.GetValue(null)!;
        Assert.Equal(tmdsValue, Errors.ToNative(errno));
    }

    [Fact]
    public void ProcessCalls_ThroughTmdsLibC_AgreeWithTheRuntime()
    {
        Assert.Equal(Environment.ProcessId, Pid.Current.Value);
        Assert.Equal(Environment.ProcessId, (int)LibC.getpid());
    }
}
