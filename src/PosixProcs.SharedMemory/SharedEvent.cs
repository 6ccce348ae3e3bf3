namespace PosixProcs.SharedMemory;

/// <summary>
/// A manual-reset event in shared memory, for processes (Python's multiprocessing.Event):
/// <see cref="Set"/> releases every waiter, present and future, until <see cref="Reset"/>.
/// </summary>
/// <remarks>Layout, 8 bytes at a 4-byte aligned offset: state (the futex word, 0 or 1), sleepers.</remarks>
public sealed unsafe class SharedEvent
{
    /// <summary>The bytes an event takes in a region.</summary>
    public const int Size = 2 * sizeof(uint);

    private readonly SharedMemoryRegion _region;
    private readonly uint* _state;
    private readonly int* _sleepers;

    private SharedEvent(SharedMemoryRegion region, byte* start)
    {
        _region = region;
        _state = (uint*)start;
        _sleepers = (int*)(start + 4);
    }

    /// <summary>Whether the event is set now (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool IsSet
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_state) != 0;
        }
    }

    /// <summary>Lays out a new event at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the event.</param>
    /// <param name="initiallySet">Whether it starts set.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The event does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedEvent Create(SharedMemoryRegion region, bool initiallySet = false, long offset = 0)
    {
        SharedEvent sharedEvent = Attach(region, offset);
        Volatile.Write(ref *sharedEvent._sleepers, 0);
        Volatile.Write(ref *sharedEvent._state, initiallySet ? 1u : 0u);
        return sharedEvent;
    }

    /// <summary>Opens an event that <see cref="Create"/> laid out (in this process or another).</summary>
    /// <param name="region">The shared region; it must outlive the event.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The event does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedEvent Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new SharedEvent(region, region.Pointer(offset, Size, sizeof(uint), nameof(offset)));
    }

    /// <summary>Sets the event and wakes every waiter.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public void Set()
    {
        ThrowIfDisposed();

        // The exchange is a full fence: a waiter that announced itself before it is seen here.
        if (Interlocked.Exchange(ref *_state, 1) == 0 && Volatile.Read(ref *_sleepers) > 0)
        {
            Posix.FutexWake(_state);
        }
    }

    /// <summary>Clears the event: later waits block until the next <see cref="Set"/>.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public void Reset()
    {
        ThrowIfDisposed();
        Interlocked.Exchange(ref *_state, 0);
    }

    /// <summary>Waits until the event is set.</summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>True if the event is set; false if the time ran out first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        while (Volatile.Read(ref *_state) == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref *_sleepers);
            bool inTime;
            try
            {
                inTime = FutexSleep.OnState(_state, 0, deadline, Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref *_sleepers);
            }

            if (!inTime)
            {
                return Volatile.Read(ref *_state) != 0;
            }
        }

        return true;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
