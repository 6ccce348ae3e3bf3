using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    internal const int PP_PROT_READ = 1;
    internal const int PP_PROT_WRITE = 2;
    internal const int PP_MAP_SHARED = 1;
    internal const int PP_MAP_PRIVATE = 2;
    internal const int PP_MAP_ANONYMOUS = 4;
    internal const int PP_MAP_POPULATE = 8;

    /// <summary>mmap(2) with portable protections and flags.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Mmap", SetLastError = true)]
    internal static unsafe partial int mmap(ulong length, int protection, int flags, int fd, long offset, void** address);

    /// <summary>munmap(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static unsafe int munmap(void* address, nuint length) => OperatingSystem.IsLinux() ? LinuxLibC.munmap(address, length) : munmap_libc(address, length);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    private static unsafe partial int munmap_libc(void* address, nuint length);

    /// <summary>msync(2); flags are native values (PP_CONST_MS_* from the shim): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static unsafe int msync(void* address, nuint length, int flags) => OperatingSystem.IsLinux() ? LinuxLibC.msync(address, length, flags) : msync_libc(address, length, flags);

    [LibraryImport(Libc, EntryPoint = "msync", SetLastError = true)]
    private static unsafe partial int msync_libc(void* address, nuint length, int flags);

    /// <summary>madvise(2) with portable advice.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_Madvise", SetLastError = true)]
    internal static unsafe partial int madvise(void* address, ulong length, int advice);

    /// <summary>memfd_create on Linux, shm_open + shm_unlink of a private name elsewhere; sized, close-on-exec.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_CreateSharedMemory", SetLastError = true)]
    internal static partial int memfd_create(long size);

    /// <summary>ftruncate(2): Tmds.LibC's declaration on Linux, this project's own elsewhere.</summary>
    internal static int ftruncate(int fd, long length) => OperatingSystem.IsLinux() ? LinuxLibC.ftruncate(fd, length) : ftruncate_libc(fd, length);

    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int ftruncate_libc(int fd, long length);

    internal const int PP_SHM_CREATE = 1;
    internal const int PP_SHM_EXCLUSIVE = 2;

    /// <summary>
    /// shm_open(3) with portable flags (always O_RDWR), close-on-exec. Through the shim on every
    /// platform: Tmds.LibC 0.5.0 declares no shm_open, and macOS's is variadic.
    /// </summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_ShmOpen", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int shm_open(string name, int flags, int mode);

    /// <summary>shm_unlink(3): the same declaration on Linux (glibc 2.34+ has it in libc.so.6) and macOS; Tmds.LibC 0.5.0 has none.</summary>
    [LibraryImport(Libc, EntryPoint = "shm_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int shm_unlink(string name);

    /// <summary>The byte that disarms a guard of <see cref="shm_unlink_guard"/> (PP_SHM_GUARD_DISARM).</summary>
    internal const byte PP_SHM_GUARD_DISARM = (byte)'D';

    /// <summary>Forks a C-only guard that shm_unlinks the name when every copy of *armFd closes without the disarm byte.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_StartShmUnlinkGuard", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int shm_unlink_guard(string name, int* guardPid, int* armFd);

    /// <summary>futex(FUTEX_WAIT) on Linux, __ulock_wait on macOS: 0 woken or value differed, -1/ETIMEDOUT.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_FutexWait", SetLastError = true)]
    internal static unsafe partial int futex_wait(uint* address, uint expected, long timeoutNanoseconds);

    /// <summary>futex(FUTEX_WAKE) on Linux, __ulock_wake on macOS.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_FutexWake", SetLastError = true)]
    internal static unsafe partial int futex_wake(uint* address, int count);
}
