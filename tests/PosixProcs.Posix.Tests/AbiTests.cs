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
    public static TheoryData<string, NativeConstant> Signals => new()
    {
        { "SIGHUP", NativeConstant.SIGHUP }, { "SIGINT", NativeConstant.SIGINT }, { "SIGQUIT", NativeConstant.SIGQUIT },
        { "SIGILL", NativeConstant.SIGILL }, { "SIGABRT", NativeConstant.SIGABRT }, { "SIGFPE", NativeConstant.SIGFPE },
        { "SIGKILL", NativeConstant.SIGKILL }, { "SIGSEGV", NativeConstant.SIGSEGV }, { "SIGPIPE", NativeConstant.SIGPIPE },
        { "SIGALRM", NativeConstant.SIGALRM }, { "SIGTERM", NativeConstant.SIGTERM }, { "SIGUSR1", NativeConstant.SIGUSR1 },
        { "SIGUSR2", NativeConstant.SIGUSR2 }, { "SIGCHLD", NativeConstant.SIGCHLD }, { "SIGCONT", NativeConstant.SIGCONT },
        { "SIGSTOP", NativeConstant.SIGSTOP }, { "SIGTSTP", NativeConstant.SIGTSTP }, { "SIGBUS", NativeConstant.SIGBUS },
        { "SIGXCPU", NativeConstant.SIGXCPU }, { "SIGTTIN", NativeConstant.SIGTTIN }, { "SIGTTOU", NativeConstant.SIGTTOU },
        { "SIGWINCH", NativeConstant.SIGWINCH }, { "SIGTRAP", NativeConstant.SIGTRAP }, { "SIGSYS", NativeConstant.SIGSYS },
        { "SIGURG", NativeConstant.SIGURG }, { "SIGIO", NativeConstant.SIGIO }, { "SIGPROF", NativeConstant.SIGPROF },
        { "SIGVTALRM", NativeConstant.SIGVTALRM }, { "SIGXFSZ", NativeConstant.SIGXFSZ },
    };

    [Theory]
    [MemberData(nameof(Signals))]
    public void Signal_ParseAndName_MatchCHeaderAndMonoPosix(string name, NativeConstant id)
    {
        int native = Interop.GetPlatformConstant((int)id);
        Signal parsed = Signal.Parse(name);
        Assert.Equal(native, parsed.Number);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(name, Signal.FromNumber(native).Name);
        Assert.Equal(native, NativeConvert.FromSignum(Enum.Parse<Signum>(name)));
    }

    public static TheoryData<PosixErrno> PortableErrnos => new(Enum.GetValues<PosixErrno>().Where(e => e != PosixErrno.Unknown));

    [Theory]
    [MemberData(nameof(PortableErrnos))]
    public void PosixErrno_EveryValue_RoundTripsThroughTheShimWithItsCName(PosixErrno errno)
    {
        int native = Errors.ToNative(errno);
        Assert.True(native > 0, $"{errno} has no native value");
        Assert.Equal(errno, Errors.FromNative(native));
        Assert.Equal(errno.ToString(), CName(errno));
        Assert.Equal(native, NativeConvert.FromErrno(Enum.Parse<Errno>(errno == PosixErrno.ENOTSUP ? "EOPNOTSUPP" : errno.ToString())));
    }

    public static TheoryData<PosixErrno, NativeConstant> ErrnoValues => new()
    {
        { PosixErrno.EPERM, NativeConstant.EPERM }, { PosixErrno.ENOENT, NativeConstant.ENOENT }, { PosixErrno.ESRCH, NativeConstant.ESRCH },
        { PosixErrno.EINTR, NativeConstant.EINTR }, { PosixErrno.EBADF, NativeConstant.EBADF }, { PosixErrno.ECHILD, NativeConstant.ECHILD },
        { PosixErrno.EAGAIN, NativeConstant.EAGAIN }, { PosixErrno.ENOMEM, NativeConstant.ENOMEM }, { PosixErrno.EACCES, NativeConstant.EACCES },
        { PosixErrno.EEXIST, NativeConstant.EEXIST }, { PosixErrno.EINVAL, NativeConstant.EINVAL }, { PosixErrno.EMFILE, NativeConstant.EMFILE },
        { PosixErrno.EPIPE, NativeConstant.EPIPE }, { PosixErrno.ENOSYS, NativeConstant.ENOSYS }, { PosixErrno.ETIMEDOUT, NativeConstant.ETIMEDOUT },
        { PosixErrno.ENOEXEC, NativeConstant.ENOEXEC }, { PosixErrno.ENOTSUP, NativeConstant.ENOTSUP },
    };

    [Theory]
    [MemberData(nameof(ErrnoValues))]
    public void Errno_Translation_MatchesCHeader(PosixErrno errno, NativeConstant id)
    {
        int native = Interop.GetPlatformConstant((int)id);
        Assert.Equal(native, Errors.ToNative(errno));
        Assert.Equal(errno, Errors.FromNative(native));
    }

    [Fact]
    public void FromNative_ErrnoWithoutPortableName_IsUnknownAndKeepsTheNumber()
    {
        Assert.Equal(PosixErrno.Unknown, Errors.FromNative(100_000));
        var ex = new PosixException("read", PosixErrno.Unknown);
        Assert.Equal(-1, ex.NativeErrno);
        Assert.Equal("errno -1", ex.ErrnoName);
    }

    private static unsafe string? CName(PosixErrno errno) => Marshal.PtrToStringUTF8((nint)Interop.GetErrnoName((int)errno));

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
        nameof(SpawnRequestNative.Flags), nameof(SpawnRequestNative.ParentDeathSignal), nameof(SpawnRequestNative.ControllingTerminal));

    [Fact]
    public void ThreadSample_Layout_MatchesC() => AssertLayout<ThreadSampleNative>(6,
        nameof(ThreadSampleNative.Tid), nameof(ThreadSampleNative.State), nameof(ThreadSampleNative.CpuTimeNanoseconds),
        nameof(ThreadSampleNative.CpuTimeExact), nameof(ThreadSampleNative.Name));

    [Fact]
    public void FileStatus_Layout_MatchesC() => AssertLayout<FileStatusNative>(7,
        nameof(FileStatusNative.Size), nameof(FileStatusNative.OwnerUserId), nameof(FileStatusNative.OwnerGroupId),
        nameof(FileStatusNative.Mode), nameof(FileStatusNative.Reserved));

    [Fact]
    public void MaxSharedMemoryNameLength_MatchesC() =>
        Assert.Equal(Interop.GetPlatformConstant((int)NativeConstant.SHM_NAME_MAX), Posix.MaxSharedMemoryNameLength);

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
