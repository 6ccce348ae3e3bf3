using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>fork(2). Callers go through <see cref="ForkSafety"/> first.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fork();

    /// <summary>
    /// fork(2) with signals blocked around it and <paramref name="resetSignals"/> set to SIG_DFL in the child;
    /// <paramref name="groupFlags"/> is a <see cref="ChildGroup"/> (the shim's PP_FORK_NEW_* values).
    /// </summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Fork", SetLastError = true)]
    internal static unsafe partial int fork_with_default_signals(int* resetSignals, int resetCount, int verdictRead, int verdictWrite, int groupFlags);

    /// <summary>fork as <see cref="fork_with_default_signals"/>; the child closes every descriptor from 3 up except <paramref name="keep"/>.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_ForkClosingDescriptors", SetLastError = true)]
    internal static unsafe partial int fork_closing_descriptors(int* resetSignals, int resetCount, int* keep, int keepCount, int verdictRead, int verdictWrite, int groupFlags);

    /// <summary>Starts the native thread that ends a forked child once Environment.Exit latched a code (Linux).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_StartExitWatch", SetLastError = true)]
    internal static unsafe partial int start_exit_watch(delegate* unmanaged<int> readExitCode, int unsetCode, int periodMilliseconds);

    /// <summary>_exit(2): leaves without running finalizers or atexit handlers.</summary>
    [LibraryImport(Libc, EntryPoint = "_exit")]
    internal static partial void _exit(int status);
}
