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
}
