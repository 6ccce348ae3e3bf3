namespace PosixProcs;

public static partial class Posix
{
    /// <summary>The size of a memory page on this machine.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    /// <summary>Maps memory (mmap), readable and writable.</summary>
    /// <param name="length">Bytes; rounded up to whole pages by the kernel.</param>
    /// <param name="sharing">Shared with forked children, or copy-on-write.</param>
    /// <param name="fd">A descriptor to map (e.g. from <see cref="CreateSharedMemory"/>); <c>null</c> for anonymous memory.</param>
    /// <param name="populate">Fault every page in now (MAP_POPULATE on Linux), so first touches later cost nothing.</param>
    /// <returns>The mapping; dispose it to unmap.</returns>
    /// <exception cref="PosixException">mmap failed (ENOMEM, EINVAL).</exception>
    public static MemoryMapping Map(long length, MappingSharing sharing, FileDescriptorHandle? fd = null, bool populate = false) =>
        MemoryMapping.Create(length, sharing, fd, populate);

    /// <summary>
    /// A descriptor for <paramref name="size"/> bytes of shared memory that has no name
    /// anyone could open (memfd_create on Linux; on macOS a random shm_open name created
    /// O_EXCL, mode 0600 and unlinked at once). Nothing is left in /dev/shm, even after
    /// SIGKILL. Close-on-exec; pass it to a child on purpose to share it.
    /// </summary>
    /// <param name="size">Bytes, 1 or more.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="PosixException">memfd_create/shm_open or ftruncate failed.</exception>
    public static FileDescriptorHandle CreateSharedMemory(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return new FileDescriptorHandle(Errors.ThrowIfNegative(Interop.memfd_create(size), OperatingSystem.IsLinux() ? "memfd_create" : "shm_open"), ownsHandle: true);
    }

    /// <summary>
    /// The longest shared memory object name <see cref="OpenSharedMemory"/> accepts, without
    /// its leading slash: NAME_MAX (255) on Linux, 30 on macOS (PSHMNAMLEN is 31 with the slash).
    /// </summary>
    public static int MaxSharedMemoryNameLength { get; } = Interop.GetPlatformConstant((int)PlatformConstant.SHM_NAME_MAX);

    /// <summary>
    /// Opens or creates a named shared memory object (shm_open), read-write. Any process that
    /// may open the name reaches the same memory: size it with <see cref="TruncateFile"/> and map
    /// it with <see cref="Map"/>. The name stays until <see cref="UnlinkSharedMemory"/>, even
    /// after every process has closed it (on Linux it is the file /dev/shm/NAME).
    /// Close-on-exec: glibc's shm_open opens with O_CLOEXEC; on macOS the shim sets FD_CLOEXEC.
    /// </summary>
    /// <param name="name">The name as shm_open takes it: a slash, then 1 to <see cref="MaxSharedMemoryNameLength"/> characters with no slash and no NUL.</param>
    /// <param name="options">Open an existing object, or create one (exclusively).</param>
    /// <param name="mode">Permission bits of a created object (0 to 0777, the umask applies); ignored when it exists. Default 0600: the owner only.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="ArgumentException">The name is empty, lacks its leading slash, holds another slash or a NUL, or is too long; or <see cref="SharedMemoryOpenOptions.Exclusive"/> without <see cref="SharedMemoryOpenOptions.Create"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> has bits other than the permission bits, or <paramref name="options"/> unknown bits.</exception>
    /// <exception cref="PosixException">shm_open failed: EEXIST (exclusive create of an existing name), ENOENT (no such name), EACCES (the object's mode refuses this user), EMFILE.</exception>
    public static FileDescriptorHandle OpenSharedMemory(string name, SharedMemoryOpenOptions options = SharedMemoryOpenOptions.None, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        CheckSharedMemoryName(name);
        if ((options & ~(SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options, "Unknown flags.");
        }

        if ((options & SharedMemoryOpenOptions.Exclusive) != 0 && (options & SharedMemoryOpenOptions.Create) == 0)
        {
            throw new ArgumentException("Exclusive needs Create: O_EXCL without O_CREAT is undefined.", nameof(options));
        }

        if (((int)mode & ~0x1FF) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Only the permission bits (0777) can be given to a shared memory object.");
        }

        int portable = ((options & SharedMemoryOpenOptions.Create) != 0 ? Interop.PP_SHM_CREATE : 0) | ((options & SharedMemoryOpenOptions.Exclusive) != 0 ? Interop.PP_SHM_EXCLUSIVE : 0);
        return new FileDescriptorHandle(Errors.ThrowIfNegative(Interop.shm_open(name, portable, (int)mode), "shm_open"), ownsHandle: true);
    }

    /// <summary>
    /// Removes a shared memory object's name (shm_unlink). Processes that have it open or
    /// mapped keep it; the memory is freed when the last of them lets go. Afterwards the name
    /// is free: opening it again finds nothing, or a new object someone else created.
    /// </summary>
    /// <param name="name">The name as shm_open takes it: <c>"/name"</c>.</param>
    /// <exception cref="ArgumentException">The name is not a valid shared memory name (see <see cref="OpenSharedMemory"/>).</exception>
    /// <exception cref="PosixException">shm_unlink failed: ENOENT (no such name), EACCES (not permitted).</exception>
    public static void UnlinkSharedMemory(string name)
    {
        CheckSharedMemoryName(name);
        Errors.ThrowIfNegative(Interop.shm_unlink(name), "shm_unlink");
    }

    /// <summary>
    /// Starts a guard process that unlinks the shared memory object <paramref name="name"/> if
    /// this process dies (even by SIGKILL) before disposing the guard: Python's resource
    /// tracker, for one name. The guard is a fork that runs only C code (no managed code, so
    /// forking from a multi-threaded runtime is safe): it leaves this session, resets its signals,
    /// closes every descriptor but one pipe end, and waits on the pipe. Disposing the guard tells
    /// it to stand down and reaps it. Children forked without exec inherit the pipe's other end
    /// (it is close-on-exec, so exec'd programs do not): the guard then waits for them too.
    /// </summary>
    /// <param name="name">The name as shm_open takes it: <c>"/name"</c>.</param>
    /// <returns>The guard; dispose it once the name is unlinked or handed on.</returns>
    /// <exception cref="ArgumentException">The name is not a valid shared memory name (see <see cref="OpenSharedMemory"/>).</exception>
    /// <exception cref="PosixException">pipe or fork failed (EMFILE, EAGAIN, ENOMEM).</exception>
    public static unsafe SharedMemoryUnlinkGuard StartSharedMemoryUnlinkGuard(string name)
    {
        CheckSharedMemoryName(name);
        int pid;
        int armFd;
        Errors.ThrowIfNegative(Interop.shm_unlink_guard(name, &pid, &armFd), "fork");
        return new SharedMemoryUnlinkGuard(name, new Pid(pid), new FileDescriptorHandle(armFd, ownsHandle: true));
    }

    /// <summary>
    /// Sleeps while <c>*address == expected</c> (futex wait; the word may be shared between
    /// processes). Returns on a wake-up, when the word differs, or spuriously: re-check the word.
    /// </summary>
    /// <param name="address">A 4-byte aligned word in memory that does not move (a <see cref="MemoryMapping"/>).</param>
    /// <param name="expected">The value to sleep on.</param>
    /// <param name="timeout">How long at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <returns>False if the time ran out, true otherwise.</returns>
    /// <exception cref="PosixException">The wait failed for another reason.</exception>
    public static unsafe bool FutexWait(uint* address, uint expected, TimeSpan timeout)
    {
        if (address == null || ((nuint)address & 3) != 0)
        {
            throw new ArgumentException("The futex word must be non-null and 4-byte aligned.", nameof(address));
        }

        long nanoseconds = timeout == Timeout.InfiniteTimeSpan ? -1 : checked(timeout.Ticks * 100);
        if (nanoseconds < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or infinite.");
        }

        if (Interop.futex_wait(address, expected, nanoseconds) == 0)
        {
            return true;
        }

        PosixErrno errno = Errors.LastErrno();
        return errno == PosixErrno.ETIMEDOUT ? false : throw new PosixException("futex_wait", errno);
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="address"/> (futex wake).</summary>
    /// <param name="address">The futex word.</param>
    /// <param name="count">How many to wake; <see cref="int.MaxValue"/> for all.</param>
    /// <returns>How many were woken (0 on macOS, which does not tell).</returns>
    /// <exception cref="PosixException">The wake failed.</exception>
    public static unsafe int FutexWake(uint* address, int count = int.MaxValue)
    {
        if (address == null || ((nuint)address & 3) != 0)
        {
            throw new ArgumentException("The futex word must be non-null and 4-byte aligned.", nameof(address));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Errors.ThrowIfNegative(Interop.futex_wake(address, count), "futex_wake");
    }

    private static void CheckSharedMemoryName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name[0] != '/' || name.Length == 1)
        {
            throw new ArgumentException($"A shared memory name is a slash and then at least one character, as shm_open takes it: \"/{name.TrimStart('/')}\", not \"{name}\".", nameof(name));
        }

        if (name.IndexOfAny(['/', '\0'], 1) >= 0)
        {
            throw new ArgumentException("A shared memory name holds no slash after the first character and no NUL.", nameof(name));
        }

        if (name.Length - 1 > MaxSharedMemoryNameLength)
        {
            throw new ArgumentException($"The shared memory name has {name.Length - 1} characters after its slash; this platform allows at most {MaxSharedMemoryNameLength}.", nameof(name));
        }
    }
}
