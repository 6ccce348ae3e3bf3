using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    internal const int PP_FD_CLOEXEC = 1;
    internal const int PP_FD_NONBLOCK = 2;

    /// <summary>
    /// pipe2(2) with portable flags (<see cref="PP_FD_CLOEXEC"/>, <see cref="PP_FD_NONBLOCK"/>):
    /// Tmds.LibC's pipe2 with its Linux flags on Linux; elsewhere the shim (pipe + fcntl where
    /// there is no pipe2, as on macOS).
    /// </summary>
    internal static unsafe int pipe2(int* fds, int flags) => OperatingSystem.IsLinux() ? LinuxLibC.pipe2(fds, flags) : pipe2_shim(fds, flags);

    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Pipe", SetLastError = true)]
    private static unsafe partial int pipe2_shim(int* fds, int flags);

    /// <summary>
    /// socketpair(AF_UNIX, SOCK_STREAM) with portable flags: Tmds.LibC's socketpair with
    /// SOCK_CLOEXEC/SOCK_NONBLOCK on Linux; elsewhere the shim (fcntl after the call on macOS).
    /// </summary>
    internal static unsafe int socketpair(int* fds, int flags) => OperatingSystem.IsLinux() ? LinuxLibC.socketpair(fds, flags) : socketpair_shim(fds, flags);

    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SocketPair", SetLastError = true)]
    private static unsafe partial int socketpair_shim(int* fds, int flags);

    /// <summary>close(2). Not retried on EINTR: on Linux the descriptor is gone either way.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int close(int fd);

    /// <summary>read(2), EINTR retried in the shim.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Read", SetLastError = true)]
    internal static unsafe partial long read(int fd, byte* buffer, long count);

    /// <summary>write(2), EINTR retried in the shim.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Write", SetLastError = true)]
    internal static unsafe partial long write(int fd, byte* buffer, long count);

    /// <summary>dup2(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int dup2(int oldfd, int newfd) => OperatingSystem.IsLinux() ? LinuxLibC.dup2(oldfd, newfd) : dup2_libc(oldfd, newfd);

    [LibraryImport(Libc, EntryPoint = "dup2", SetLastError = true)]
    private static partial int dup2_libc(int oldfd, int newfd);

    /// <summary>fcntl(F_DUPFD_CLOEXEC). fcntl is variadic, so it goes through the shim.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_DuplicateCloseOnExec", SetLastError = true)]
    internal static partial int fcntl_F_DUPFD_CLOEXEC(int fd, int minFd);

    /// <summary>fcntl(F_GETFD) &amp; FD_CLOEXEC: 1, 0, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetCloseOnExec", SetLastError = true)]
    internal static partial int fcntl_get_FD_CLOEXEC(int fd);

    /// <summary>fcntl(F_SETFD) with FD_CLOEXEC set or cleared.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetCloseOnExec", SetLastError = true)]
    internal static partial int fcntl_set_FD_CLOEXEC(int fd, int enabled);

    /// <summary>fcntl(F_GETFL) &amp; O_NONBLOCK: 1, 0, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetNonBlocking", SetLastError = true)]
    internal static partial int fcntl_get_O_NONBLOCK(int fd);

    /// <summary>fcntl(F_SETFL) with O_NONBLOCK set or cleared.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SetNonBlocking", SetLastError = true)]
    internal static partial int fcntl_set_O_NONBLOCK(int fd, int enabled);

    /// <summary>fcntl(F_GETPIPE_SZ) on Linux; -1/ENOTSUP elsewhere.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetPipeCapacity", SetLastError = true)]
    internal static partial int fcntl_F_GETPIPE_SZ(int fd);

    internal const int PP_POLLIN = 1;
    internal const int PP_POLLOUT = 2;
    internal const int PP_POLLERR = 4;
    internal const int PP_POLLHUP = 8;
    internal const int PP_POLLNVAL = 16;

    /// <summary>poll(2) on one descriptor with portable events; EINTR retried with the time left.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Poll", SetLastError = true)]
    internal static unsafe partial int poll(int fd, int events, int timeoutMs, int* revents);

    /// <summary>poll(2) on several descriptors with portable events; EINTR retried with the time left.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_PollMany", SetLastError = true)]
    internal static unsafe partial int poll_many(int* fds, int* events, int* revents, int count, int timeoutMs);
}
