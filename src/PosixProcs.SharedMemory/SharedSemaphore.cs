namespace PosixProcs.SharedMemory;

/// <summary>
/// A counting semaphore in shared memory, for processes (Python's multiprocessing.Semaphore
/// and BoundedSemaphore): <see cref="Wait"/> takes one unit, waiting while there is none;
/// <see cref="Release"/> gives units back.
/// </summary>
/// <remarks>
/// Layout, 12 bytes at a 4-byte aligned offset: count (the futex word), sleepers, maximum.
/// Release only makes the wake-up system call when someone sleeps. Units held by a process
/// that dies are not returned: a semaphore cannot know who holds them (use a
/// <see cref="SharedLock"/> where that matters).
/// </remarks>
public sealed unsafe class SharedSemaphore
{
    /// <summary>The bytes a semaphore takes in a region.</summary>
    public const int Size = 3 * sizeof(uint);

    private readonly SharedMemoryRegion _region;
    private readonly uint* _count;
    private readonly int* _sleepers;
    private readonly int* _maximum;

    private SharedSemaphore(SharedMemoryRegion region, byte* start)
    {
        _region = region;
        _count = (uint*)start;
        _sleepers = (int*)(start + 4);
        _maximum = (int*)(start + 8);
    }

    /// <summary>The units available now (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int CurrentCount
    {
        get
        {
            ThrowIfDisposed();
            return (int)Volatile.Read(ref *_count);
        }
    }

    /// <summary>The most units the semaphore can hold.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int MaximumCount
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_maximum);
        }
    }

    /// <summary>Lays out a new semaphore at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the semaphore.</param>
    /// <param name="initialCount">Units available at first, 0 to <paramref name="maximumCount"/>.</param>
    /// <param name="maximumCount">The most units it can hold, 1 or more; <see cref="Release"/> beyond it throws.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or the semaphore does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedSemaphore Create(SharedMemoryRegion region, int initialCount, int maximumCount = int.MaxValue, long offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumCount);
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCount, maximumCount);
        SharedSemaphore semaphore = Attach(region, offset);
        Volatile.Write(ref *semaphore._maximum, maximumCount);
        Volatile.Write(ref *semaphore._sleepers, 0);
        Volatile.Write(ref *semaphore._count, (uint)initialCount);
        return semaphore;
    }

    /// <summary>Opens a semaphore that <see cref="Create"/> laid out (in this process or another).</summary>
    /// <param name="region">The shared region; it must outlive the semaphore.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The semaphore does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedSemaphore Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new SharedSemaphore(region, region.Pointer(offset, Size, sizeof(uint), nameof(offset)));
    }

    /// <summary>Takes one unit, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>True if a unit was taken; false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; no unit was taken.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        SpinWait spinner = default;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            uint count = Volatile.Read(ref *_count);
            if (count > 0)
            {
                if (Interlocked.CompareExchange(ref *_count, count - 1, count) == count)
                {
                    return true;
                }

                continue;
            }

            if (!spinner.NextSpinWillYield)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // Announce, then sleep only while the count is still 0: the kernel compares and
            // sleeps atomically, and a releaser adds first and checks for sleepers after.
            Interlocked.Increment(ref *_sleepers);
            bool inTime;
            try
            {
                inTime = FutexSleep.OnState(_count, 0, deadline, Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref *_sleepers);
            }

            if (!inTime)
            {
                count = Volatile.Read(ref *_count);
                return count > 0 && Interlocked.CompareExchange(ref *_count, count - 1, count) == count;
            }
        }
    }

    /// <summary>Gives <paramref name="releaseCount"/> units back and wakes as many sleepers.</summary>
    /// <param name="releaseCount">1 or more.</param>
    /// <returns>The count before the release.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="releaseCount"/> is below 1.</exception>
    /// <exception cref="SemaphoreFullException">The count would exceed <see cref="MaximumCount"/>; nothing was released.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public int Release(int releaseCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(releaseCount);
        ThrowIfDisposed();
        int maximum = Volatile.Read(ref *_maximum);
        uint count;
        do
        {
            count = Volatile.Read(ref *_count);
            if ((long)count + releaseCount > maximum)
            {
                throw new SemaphoreFullException($"Releasing {releaseCount} unit(s) with {count} available would exceed the maximum of {maximum}.");
            }
        }
        while (Interlocked.CompareExchange(ref *_count, count + (uint)releaseCount, count) != count);

        if (Volatile.Read(ref *_sleepers) > 0)
        {
            Posix.FutexWake(_count, releaseCount);
        }

        return (int)count;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
