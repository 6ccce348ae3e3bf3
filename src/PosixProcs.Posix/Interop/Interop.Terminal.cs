using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>posix_openpt + grantpt + unlockpt + ptsname + open, sized (TIOCSWINSZ); both ends close-on-exec and O_NOCTTY.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_OpenPseudoTerminal", SetLastError = true)]
    internal static unsafe partial int openpty(int columns, int rows, int* master, int* slave, byte* slaveName, int slaveNameSize);

    /// <summary>ioctl(TIOCSWINSZ), the constant taken from the platform's headers in C.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetWindowSize", SetLastError = true)]
    internal static partial int ioctl_TIOCSWINSZ(int fd, int columns, int rows);

    /// <summary>ioctl(TIOCGWINSZ).</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetWindowSize", SetLastError = true)]
    internal static unsafe partial int ioctl_TIOCGWINSZ(int fd, int* columns, int* rows);
}
