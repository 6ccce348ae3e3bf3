namespace PosixProcs.SharedMemory;

/// <summary>
/// A re-entrant lock in shared memory, for processes (Python's multiprocessing.RLock): the
/// thread that holds it may take it again, and must release it as many times as it took it
/// before another thread, of this process or another, gets it. Like <see cref="SharedLock"/>,
/// on which it is built, it survives its owner's death (<see cref="LockAcquisition.OwnerDied"/>).
/// </summary>
/// <remarks>
/// <para>The lock is 24 bytes at an 8-byte aligned offset in a region: a <see cref="SharedLock"/>
/// (which names the owner process), then the owner thread and the recursion count:</para>
/// <code>
///  0                 16            20      24
///  | SharedLock      | ownerThread | count |
/// </code>
/// <para>The owner is a thread of a process, as in Python: the process is the one the inner
/// lock names (pid and start time), the thread is its managed thread id
/// (<see cref="Environment.CurrentManagedThreadId"/>), 0 when free. Only the owner writes the
/// thread and the count, and it clears the thread before it releases the inner lock, so a
/// thread that reads its own id there together with its own process as the inner lock's owner
/// does hold the lock. A thread that ends while holding the lock leaves it held (as in
/// Python); the runtime may give its id to a later thread of the same process, which then
/// owns the lock. When the whole process dies the next acquirer is told
/// <see cref="LockAcquisition.OwnerDied"/> and gets the lock at depth 1, whatever depth the
/// dead owner held it at.</para>
/// </remarks>
public sealed unsafe class SharedRLock : IConditionLock
{
    /// <summary>The bytes a re-entrant lock takes in a region.</summary>
    public const int Size = SharedLock.Size + (2 * sizeof(int));

    private const int Alignment = sizeof(long);
    private const int OwnerThreadOffset = SharedLock.Size;
    private const int CountOffset = SharedLock.Size + sizeof(int);

    private readonly SharedMemoryRegion _region;
    private readonly SharedLock _lock;
    private readonly int* _ownerThread;
    private readonly int* _count;

    private SharedRLock(SharedMemoryRegion region, SharedLock innerLock, byte* start)
    {
        _region = region;
        _lock = innerLock;
        _ownerThread = (int*)(start + OwnerThreadOffset);
        _count = (int*)(start + CountOffset);
    }

    /// <summary>
    /// How often a waiting acquirer checks whether the owner process still exists (see
    /// <see cref="SharedLock.OwnerCheckInterval"/>). Default: 100 ms. Per instance, not shared.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OwnerCheckInterval
    {
        get => _lock.OwnerCheckInterval;
        set => _lock.OwnerCheckInterval = value;
    }

    /// <summary>The pid of the process whose thread holds the lock now, or <c>null</c> if it is free (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public Pid? Owner => _lock.Owner;

    /// <summary>Whether the calling thread holds the lock.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool IsHeldByCurrentThread
    {
        get
        {
            ThrowIfDisposed();
            return HeldByCaller();
        }
    }

    /// <summary>How many times the calling thread holds the lock: 0 when it does not hold it.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int RecursionCount
    {
        get
        {
            ThrowIfDisposed();
            return HeldByCaller() ? Volatile.Read(ref *_count) : 0;
        }
    }

    /// <inheritdoc/>
    bool IConditionLock.IsHeldByCaller => HeldByCaller();

    /// <summary>Lays out a new, free lock at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the lock.</param>
    /// <param name="offset">A multiple of 8.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lock does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedRLock Create(SharedMemoryRegion region, long offset = 0)
    {
        SharedRLock sharedLock = Attach(region, offset);
        Volatile.Write(ref *sharedLock._count, 0);
        Volatile.Write(ref *sharedLock._ownerThread, 0);
        _ = SharedLock.Create(region, offset);
        return sharedLock;
    }

    /// <summary>Opens a lock that <see cref="Create"/> laid out (in this process or another).</summary>
    /// <param name="region">The shared region; it must outlive the lock.</param>
    /// <param name="offset">A multiple of 8.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lock does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedRLock Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        byte* start = region.Pointer(offset, Size, Alignment, nameof(offset));
        return new SharedRLock(region, SharedLock.Attach(region, offset), start);
    }

    /// <summary>Takes the lock, or takes it once more if this thread holds it, waiting as long as it takes.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>Acquired, or OwnerDied (acquired; repair the data).</returns>
    /// <exception cref="OverflowException">This thread already holds the lock <see cref="int.MaxValue"/> times.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is not held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public LockAcquisition Acquire(CancellationToken cancellationToken = default) => TryAcquire(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/>; if this thread holds it
    /// already, takes it once more at once (one more <see cref="Release"/> is then due).
    /// </summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>Acquired, OwnerDied (acquired at depth 1 from a dead process; repair the data), or TimedOut (not acquired).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OverflowException">This thread already holds the lock <see cref="int.MaxValue"/> times; the count is unchanged.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is not held (no more than before).</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public LockAcquisition TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        ThrowIfDisposed();
        if (HeldByCaller())
        {
            int count = Volatile.Read(ref *_count);
            if (count == int.MaxValue)
            {
                throw new OverflowException($"This thread already holds the lock {count} times, the most a recursion count can hold.");
            }

            Volatile.Write(ref *_count, count + 1);
            return LockAcquisition.Acquired;
        }

        LockAcquisition outcome = _lock.TryAcquire(timeout, cancellationToken);
        if (outcome != LockAcquisition.TimedOut)
        {
            TakeOwnership(1);
        }

        return outcome;
    }

    /// <summary>
    /// Releases one level of the lock held by this thread; the last level frees it and wakes
    /// one sleeping acquirer if there is one.
    /// </summary>
    /// <exception cref="SynchronizationLockException">This thread does not hold the lock.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public void Release()
    {
        ThrowIfDisposed();
        if (!HeldByCaller())
        {
            throw new SynchronizationLockException(NotHeldMessage());
        }

        int count = Volatile.Read(ref *_count);
        if (count > 1)
        {
            Volatile.Write(ref *_count, count - 1);
            return;
        }

        ReleaseEntirely();
    }

    /// <inheritdoc/>
    int IConditionLock.ReleaseForWait()
    {
        int depth = Volatile.Read(ref *_count);
        ReleaseEntirely();
        return depth;
    }

    /// <inheritdoc/>
    LockAcquisition IConditionLock.ReacquireAfterWait(int depth)
    {
        LockAcquisition outcome = _lock.TryAcquire(Timeout.InfiniteTimeSpan);
        TakeOwnership(depth);
        return outcome;
    }

    /// <summary>Whether this thread of this process holds the lock (its thread id first: only the owner writes it).</summary>
    private bool HeldByCaller() =>
        Volatile.Read(ref *_ownerThread) == Environment.CurrentManagedThreadId && _lock.IsHeldByCurrentProcess();

    /// <summary>Records this thread as the owner, at <paramref name="depth"/>, once the inner lock is held.</summary>
    private void TakeOwnership(int depth)
    {
        Volatile.Write(ref *_count, depth);
        Volatile.Write(ref *_ownerThread, Environment.CurrentManagedThreadId);
    }

    /// <summary>Forgets the owner thread, then frees the inner lock (whose exchange publishes the clearing).</summary>
    private void ReleaseEntirely()
    {
        Volatile.Write(ref *_count, 0);
        Volatile.Write(ref *_ownerThread, 0);
        _lock.Release();
    }

    private string NotHeldMessage()
    {
        Pid? owner = _lock.Owner;
        int self = Environment.CurrentManagedThreadId;
        if (owner is null)
        {
            return "The lock is not held.";
        }

        return owner == Pid.Current
            ? $"The lock is held by thread {Volatile.Read(ref *_ownerThread)} of this process ({owner}), not by this thread ({self})."
            : $"The lock is held by process {owner}, not by this process ({Pid.Current}).";
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
