using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace PosixProcs.PosixTests;

/// <summary>
/// Every struct and constant that crosses the managed/native line, checked against what
/// the C compiler says from the real headers (as Tmds.LibC does).
/// </summary>
public class AbiTests
{
    public static TheoryData<string, Signum, NativeConstant> Signals => new()
    {
        { "SIGHUP", Signum.SIGHUP, NativeConstant.SIGHUP }, { "SIGINT", Signum.SIGINT, NativeConstant.SIGINT },
        { "SIGQUIT", Signum.SIGQUIT, NativeConstant.SIGQUIT }, { "SIGILL", Signum.SIGILL, NativeConstant.SIGILL },
        { "SIGABRT", Signum.SIGABRT, NativeConstant.SIGABRT }, { "SIGFPE", Signum.SIGFPE, NativeConstant.SIGFPE },
        { "SIGKILL", Signum.SIGKILL, NativeConstant.SIGKILL }, { "SIGSEGV", Signum.SIGSEGV, NativeConstant.SIGSEGV },
        { "SIGPIPE", Signum.SIGPIPE, NativeConstant.SIGPIPE }, { "SIGALRM", Signum.SIGALRM, NativeConstant.SIGALRM },
        { "SIGTERM", Signum.SIGTERM, NativeConstant.SIGTERM }, { "SIGUSR1", Signum.SIGUSR1, NativeConstant.SIGUSR1 },
        { "SIGUSR2", Signum.SIGUSR2, NativeConstant.SIGUSR2 }, { "SIGCHLD", Signum.SIGCHLD, NativeConstant.SIGCHLD },
        { "SIGCONT", Signum.SIGCONT, NativeConstant.SIGCONT }, { "SIGSTOP", Signum.SIGSTOP, NativeConstant.SIGSTOP },
        { "SIGTSTP", Signum.SIGTSTP, NativeConstant.SIGTSTP }, { "SIGBUS", Signum.SIGBUS, NativeConstant.SIGBUS },
        { "SIGXCPU", Signum.SIGXCPU, NativeConstant.SIGXCPU },
    };

    [Theory]
    [MemberData(nameof(Signals))]
    public void Signal_MonoTranslation_MatchesCHeader(string name, Signum signum, NativeConstant id)
    {
        int native = Interop.GetPlatformConstant((int)id);
        Assert.Equal(native, NativeConvert.FromSignum(signum));
        Signal parsed = Signal.Parse(name);
        Assert.Equal(native, parsed.Number);
        Assert.Equal(name, parsed.Name);
    }

    public static TheoryData<Errno, NativeConstant> ErrnoValues => new()
    {
        { Errno.EPERM, NativeConstant.EPERM }, { Errno.ENOENT, NativeConstant.ENOENT }, { Errno.ESRCH, NativeConstant.ESRCH },
        { Errno.EINTR, NativeConstant.EINTR }, { Errno.EBADF, NativeConstant.EBADF }, { Errno.ECHILD, NativeConstant.ECHILD },
        { Errno.EAGAIN, NativeConstant.EAGAIN }, { Errno.ENOMEM, NativeConstant.ENOMEM }, { Errno.EACCES, NativeConstant.EACCES },
        { Errno.EEXIST, NativeConstant.EEXIST }, { Errno.EINVAL, NativeConstant.EINVAL }, { Errno.EMFILE, NativeConstant.EMFILE },
        { Errno.EPIPE, NativeConstant.EPIPE }, { Errno.ENOSYS, NativeConstant.ENOSYS }, { Errno.ETIMEDOUT, NativeConstant.ETIMEDOUT },
        { Errno.ENOEXEC, NativeConstant.ENOEXEC }, { Errno.EOPNOTSUPP, NativeConstant.ENOTSUP },
    };

    [Theory]
    [MemberData(nameof(ErrnoValues))]
    public void Errno_MonoTranslation_MatchesCHeader(Errno errno, NativeConstant id)
    {
        int native = Interop.GetPlatformConstant((int)id);
        Assert.Equal(native, NativeConvert.FromErrno(errno));
        Assert.Equal(errno, Errors.FromNative(native));
    }

    [Fact]
    public void MsyncFlags_MonoTranslation_MatchesCHeader()
    {
        Assert.Equal(Interop.GetPlatformConstant((int)NativeConstant.MS_SYNC), NativeConvert.FromMsyncFlags(MsyncFlags.MS_SYNC));
        Assert.Equal(Interop.GetPlatformConstant((int)NativeConstant.MS_ASYNC), NativeConvert.FromMsyncFlags(MsyncFlags.MS_ASYNC));
    }

    [Fact]
    public void PageSize_Managed_MatchesSysconf()
    {
        Assert.Equal(Interop.GetPlatformConstant((int)NativeConstant.PAGE_SIZE), Posix.PageSize);
    }

    [Fact]
    public void GetPlatformConstant_UnknownId_ReturnsMinValue()
    {
        Assert.Equal(int.MinValue, Interop.GetPlatformConstant(9999));
    }

    [Fact]
    public void WaitStatusParts_Layout_MatchesC() => AssertLayout<WaitStatusParts>(1,
        nameof(WaitStatusParts.Exited), nameof(WaitStatusParts.ExitCode), nameof(WaitStatusParts.Signaled), nameof(WaitStatusParts.TermSignal),
        nameof(WaitStatusParts.CoreDumped), nameof(WaitStatusParts.Stopped), nameof(WaitStatusParts.StopSignal), nameof(WaitStatusParts.Continued));

    [Fact]
    public void ResourceLimit_Layout_MatchesC() => AssertLayout<ResourceLimitNative>(2,
        nameof(ResourceLimitNative.Resource), nameof(ResourceLimitNative.Reserved), nameof(ResourceLimitNative.Soft), nameof(ResourceLimitNative.Hard));

    [Fact]
    public void ResourceUsage_Layout_MatchesC() => AssertLayout<ResourceUsageNative>(3,
        nameof(ResourceUsageNative.UserTimeMicroseconds), nameof(ResourceUsageNative.SystemTimeMicroseconds), nameof(ResourceUsageNative.MaxResidentSetBytes),
        nameof(ResourceUsageNative.MinorFaults), nameof(ResourceUsageNative.MajorFaults), nameof(ResourceUsageNative.VoluntaryContextSwitches),
        nameof(ResourceUsageNative.InvoluntaryContextSwitches));

    [Fact]
    public void FdMapping_Layout_MatchesC() => AssertLayout<FdMappingNative>(4, nameof(FdMappingNative.ChildFd), nameof(FdMappingNative.ParentFd));

    [Fact]
    public void SpawnRequest_Layout_MatchesC() => AssertLayout<SpawnRequestNative>(5,
        nameof(SpawnRequestNative.Path), nameof(SpawnRequestNative.Argv), nameof(SpawnRequestNative.Envp), nameof(SpawnRequestNative.WorkingDirectory),
        nameof(SpawnRequestNative.FdMap), nameof(SpawnRequestNative.Limits), nameof(SpawnRequestNative.FdMapCount), nameof(SpawnRequestNative.LimitCount),
        nameof(SpawnRequestNative.Flags), nameof(SpawnRequestNative.ParentDeathSignal));

    [Fact]
    public void ThreadSample_Layout_MatchesC() => AssertLayout<ThreadSampleNative>(6,
        nameof(ThreadSampleNative.Tid), nameof(ThreadSampleNative.State), nameof(ThreadSampleNative.CpuTimeNanoseconds),
        nameof(ThreadSampleNative.CpuTimeExact), nameof(ThreadSampleNative.Name));

    [Fact]
    public void GetStructLayout_FieldPastEnd_ReturnsMinusOne()
    {
        Assert.Equal(-1, Interop.GetStructLayout(4, 2));
        Assert.Equal(-1, Interop.GetStructLayout(99, -1));
    }

    private static void AssertLayout<T>(int structId, params string[] fields)
        where T : unmanaged
    {
        Assert.Equal(Interop.GetStructLayout(structId, -1), Unsafe.SizeOf<T>());
        Assert.Equal(Interop.GetStructLayout(structId, -1), Marshal.SizeOf<T>());
        for (int i = 0; i < fields.Length; i++)
        {
            Assert.Equal(Interop.GetStructLayout(structId, i), (int)Marshal.OffsetOf<T>(fields[i]));
        }

        Assert.Equal(-1, Interop.GetStructLayout(structId, fields.Length));
    }
}
