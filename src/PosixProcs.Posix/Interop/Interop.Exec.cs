using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>execve(2): returns only on failure (-1 and errno).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int execve(byte* path, byte** argv, byte** envp);
}
