using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>The PP_CONST_* ids of native/posixprocs.h (ids, not values: the shim answers with the platform's value).</summary>
internal enum PlatformConstant
{
    SIGHUP = 1, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGFPE, SIGKILL, SIGSEGV, SIGPIPE, SIGALRM,
    SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGBUS, SIGXCPU,
    SIGTTIN, SIGTTOU, SIGWINCH, SIGTRAP, SIGSYS, SIGURG, SIGIO, SIGPROF, SIGVTALRM, SIGXFSZ,
    MS_SYNC = 207, MS_ASYNC = 208, PAGE_SIZE = 209, SHM_NAME_MAX = 210,
}

internal static partial class Interop
{
    /// <summary>The native value of a PP_CONST_* id, or int.MinValue.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetPlatformConstant")]
    internal static partial int GetPlatformConstant(int id);

    /// <summary>The size (fieldIndex -1) or a field offset of a PP_STRUCT_* struct, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetStructLayout")]
    internal static partial int GetStructLayout(int structId, int fieldIndex);
}
