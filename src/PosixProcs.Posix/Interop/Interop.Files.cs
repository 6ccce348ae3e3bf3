using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>chmod(2). mode_t is 32 bits on Linux and 16 on macOS: each gets its own declaration.</summary>
    internal static unsafe int chmod(byte* path, uint mode) => OperatingSystem.IsMacOS() ? chmod_macos(path, (ushort)mode) : chmod_linux(path, mode);

    [LibraryImport(Libc, EntryPoint = "chmod", SetLastError = true)]
    private static unsafe partial int chmod_linux(byte* path, uint mode);

    [LibraryImport(Libc, EntryPoint = "chmod", SetLastError = true)]
    private static unsafe partial int chmod_macos(byte* path, ushort mode);
}
