using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>fork(2). Callers go through <see cref="ForkSafety"/> first.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fork();

    /// <summary>fork(2) with signals blocked around it and <paramref name="resetSignals"/> set to SIG_DFL in the child.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Fork", SetLastError = true)]
    internal static unsafe partial int fork_with_default_signals(int* resetSignals, int resetCount);

    /// <summary>_exit(2): leaves without running finalizers or atexit handlers.</summary>
    [LibraryImport(Libc, EntryPoint = "_exit")]
    internal static partial void _exit(int status);
}
