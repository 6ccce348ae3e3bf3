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

    /// <summary>fstat(2), reduced by the shim to the fields of <see cref="FileStatusNative"/> (struct stat differs between platforms).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Fstat", SetLastError = true)]
    internal static unsafe partial int fstat(int fd, FileStatusNative* status);

    /// <summary>geteuid(2): Tmds.LibC's declaration on Linux, this project's own elsewhere. It cannot fail.</summary>
    internal static uint geteuid() => OperatingSystem.IsLinux() ? LinuxLibC.geteuid() : geteuid_libc();

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    private static partial uint geteuid_libc();
}
