using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    internal const int PP_WNOHANG = 1;
    internal const int PP_WUNTRACED = 2;
    internal const int PP_WCONTINUED = 4;

    /// <summary>waitpid(2) on one pid (never -1), portable options, EINTR retried.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_WaitPid", SetLastError = true)]
    internal static unsafe partial int waitpid(int pid, int* status, int options);

    /// <summary>wait4(2) on one pid (never -1): waitpid plus that child's own resource usage.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_WaitPidWithUsage", SetLastError = true)]
    internal static unsafe partial int wait4(int pid, int* status, int options, ResourceUsageNative* usage);

    /// <summary>The platform's W* macros applied to a raw status (for ABI tests).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_DecodeWaitStatus")]
    internal static unsafe partial int DecodeWaitStatus(int raw, WaitStatusParts* parts);

    /// <summary>kill(2) with a native signal number.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int kill(int pid, int sig);

    /// <summary>killpg(2) with a native signal number: Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int killpg(int pgrp, int sig) => OperatingSystem.IsLinux() ? LinuxLibC.killpg(pgrp, sig) : killpg_libc(pgrp, sig);

    [LibraryImport(Libc, EntryPoint = "killpg", SetLastError = true)]
    private static partial int killpg_libc(int pgrp, int sig);

    /// <summary>setpgid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int setpgid(int pid, int pgid) => OperatingSystem.IsLinux() ? LinuxLibC.setpgid(pid, pgid) : setpgid_libc(pid, pgid);

    [LibraryImport(Libc, EntryPoint = "setpgid", SetLastError = true)]
    private static partial int setpgid_libc(int pid, int pgid);

    /// <summary>getpgid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int getpgid(int pid) => OperatingSystem.IsLinux() ? LinuxLibC.getpgid(pid) : getpgid_libc(pid);

    [LibraryImport(Libc, EntryPoint = "getpgid", SetLastError = true)]
    private static partial int getpgid_libc(int pid);

    /// <summary>setsid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int setsid() => OperatingSystem.IsLinux() ? LinuxLibC.setsid() : setsid_libc();

    [LibraryImport(Libc, EntryPoint = "setsid", SetLastError = true)]
    private static partial int setsid_libc();

    /// <summary>getpid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int getpid() => OperatingSystem.IsLinux() ? LinuxLibC.getpid() : getpid_libc();

    [LibraryImport(Libc, EntryPoint = "getpid")]
    private static partial int getpid_libc();

    /// <summary>getppid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int getppid() => OperatingSystem.IsLinux() ? LinuxLibC.getppid() : getppid_libc();

    [LibraryImport(Libc, EntryPoint = "getppid")]
    private static partial int getppid_libc();

    /// <summary>pidfd_open(2) on Linux (raw syscall); -1/ENOSYS elsewhere.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_PidfdOpen", SetLastError = true)]
    internal static partial int pidfd_open(int pid);

    /// <summary>prctl(PR_SET_PDEATHSIG) on Linux; a parent-exit watcher thread on macOS (see native/posixprocs.h).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetParentDeathSignal", SetLastError = true)]
    internal static partial int prctl_PR_SET_PDEATHSIG(int nativeSignal);

    /// <summary>A detached thread that signals this process when its parent exits (kqueue on macOS, pidfd on Linux).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_WatchParentExit", SetLastError = true)]
    internal static partial int watch_parent_exit(int nativeSignal);

    /// <summary>prctl(PR_SET_CHILD_SUBREAPER) on Linux; -1/ENOTSUP elsewhere.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetChildSubreaper", SetLastError = true)]
    internal static partial int prctl_PR_SET_CHILD_SUBREAPER(int enabled);

    /// <summary>prctl(PR_GET_CHILD_SUBREAPER) on Linux; -1/ENOTSUP elsewhere.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetChildSubreaper", SetLastError = true)]
    internal static partial int prctl_PR_GET_CHILD_SUBREAPER();

    internal const int PP_RUSAGE_SELF = 0;
    internal const int PP_RUSAGE_CHILDREN = 1;
    internal const int PP_RUSAGE_THREAD = 2;

    /// <summary>getrusage(2) converted to fixed-width fields.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetResourceUsage", SetLastError = true)]
    internal static unsafe partial int getrusage(int who, ResourceUsageNative* usage);

    /// <summary>setrlimit(2) with a portable resource id.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetResourceLimit", SetLastError = true)]
    internal static unsafe partial int setrlimit(ResourceLimitNative* limit);

    /// <summary>getrlimit(2) with a portable resource id.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetResourceLimit", SetLastError = true)]
    internal static unsafe partial int getrlimit(ResourceLimitNative* limit);

    /// <summary>fork+exec in C; see native/posixprocs.h.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Spawn", SetLastError = true)]
    internal static unsafe partial int PosixProcsNative_Spawn(SpawnRequestNative* request, int* pid, int* failedStep);

    /// <summary>A pipeline of count stages, the pipes between them created and closed in C; see native/posixprocs.h.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SpawnPipeline", SetLastError = true)]
    internal static unsafe partial int PosixProcsNative_SpawnPipeline(SpawnRequestNative* stages, int count, int* pids, int* failedStage, int* failedStep);
}
