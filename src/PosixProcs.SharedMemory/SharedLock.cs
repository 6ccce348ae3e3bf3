namespace PosixProcs.SharedMemory;

/// <summary>
/// A mutual-exclusion lock in shared memory, for processes (Python's multiprocessing.Lock),
/// that survives its owner's death: the lock word holds the owner's pid, and an acquirer that
/// has waited a while checks whether that process still lives. If not, it takes the lock
/// over and is told so (<see cref="LockAcquisition.OwnerDied"/>), as with a robust pthread mutex.
/// </summary>
/// <remarks>
/// <para>The lock is 16 bytes at an 8-byte aligned offset in a region:</para>
/// <code>
///  0        4          8                 16
///  | word   | ownerPid | ownerStartTime  |
/// </code>
/// <para>The word is 0 when unlocked, else the owner's pid, with the top bit set while others
/// may be sleeping (futex wait on the word). Release wakes one sleeper only when that bit is
/// set, so an uncontended lock and unlock make no system call. After taking the word, the new
/// owner records its start time, then its pid (release order): a waiter trusts the start time
/// only when the recorded pid matches the word's.</para>
/// <para>Ownership is per process: any thread of the owning process may release it, and the
/// lock is not re-entrant (<see cref="SharedRLock"/> is, per thread). On Linux an owner counts as dead once it is gone, a zombie (killed,
/// not yet reaped), or its pid names a process with another start time (/proc/PID/stat
/// field 22: the pid was recycled). Elsewhere (macOS, unverified) only kill(pid, 0) decides,
/// and a zombie or a recycled pid still counts as alive.</para>
/// </remarks>
public sealed unsafe class SharedLock : IConditionLock
{
    /// <summary>The bytes a lock takes in a region.</summary>
    public const int Size = 16;

    private const int Alignment = sizeof(long);
    private const int OwnerPidOffset = 4;
    private const int OwnerStartTimeOffset = 8;
    private const uint SleepersBit = 0x8000_0000;
    private static readonly TimeSpan DefaultOwnerCheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly SharedMemoryRegion _region;
    private readonly uint* _word;
    private TimeSpan _ownerCheckInterval = DefaultOwnerCheckInterval;

    private SharedLock(SharedMemoryRegion region, uint* word)
    {
        _region = region;
        _word = word;
    }

    /// <summary>
    /// How often a waiting acquirer checks whether the owner process still exists (one
    /// read of /proc/PID/stat on Linux, kill(pid, 0) elsewhere). Default: 100 ms. Per instance, not shared.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OwnerCheckInterval
    {
        get => _ownerCheckInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _ownerCheckInterval = value;
        }
    }

    /// <summary>The pid of the process holding the lock now, or <c>null</c> if it is free (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public Pid? Owner
    {
        get
        {
            ThrowIfDisposed();
            uint owner = Volatile.Read(ref *_word) & ~SleepersBit;
            return owner == 0 ? null : new Pid((int)owner);
        }
    }

    /// <summary>Lays out a new, unlocked lock at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the lock.</param>
    /// <param name="offset">A multiple of 8.</param>
    /// <returns>The lock.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The lock does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedLock Create(SharedMemoryRegion region, long offset = 0)
    {
        SharedLock sharedLock = Attach(region, offset);
        new Span<byte>(sharedLock._word, Size).Clear();
        Volatile.Write(ref *sharedLock._word, 0u);
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
    public static SharedLock Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new SharedLock(region, (uint*)region.Pointer(offset, Size, Alignment, nameof(offset)));
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/>: spins briefly, then sleeps,
    /// checking every <see cref="OwnerCheckInterval"/> whether the owner died.
    /// </summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>Acquired, OwnerDied (acquired; repair the data), or TimedOut (not acquired).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is not held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public LockAcquisition TryAcquire(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        uint self = (uint)Pid.Current.Value;
        if (Interlocked.CompareExchange(ref *_word, self, 0) == 0)
        {
            return Owned(LockAcquisition.Acquired);
        }

        SpinWait spinner = default;
        while (!spinner.NextSpinWillYield)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (Interlocked.CompareExchange(ref *_word, self, 0) == 0)
            {
                return Owned(LockAcquisition.Acquired);
            }
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            uint current = Volatile.Read(ref *_word);

            // Once anyone has slept, take the lock with the sleepers bit set: other sleepers
            // may remain, and our release must wake them.
            if (current == 0)
            {
                if (Interlocked.CompareExchange(ref *_word, self | SleepersBit, 0) == 0)
                {
                    return Owned(LockAcquisition.Acquired);
                }

                continue;
            }

            if ((current & SleepersBit) == 0 && Interlocked.CompareExchange(ref *_word, current | SleepersBit, current) != current)
            {
                continue;
            }

            current |= SleepersBit;
            bool inTime = FutexSleep.OnState(_word, current, deadline, _ownerCheckInterval, cancellationToken);
            if (Volatile.Read(ref *_word) == current && !OwnerLives(current & ~SleepersBit))
            {
                // The owner is gone. Only one acquirer wins this exchange; the others see a new owner.
                if (Interlocked.CompareExchange(ref *_word, self | SleepersBit, current) == current)
                {
                    return Owned(LockAcquisition.OwnerDied);
                }
            }

            if (!inTime)
            {
                return Interlocked.CompareExchange(ref *_word, self | SleepersBit, 0) == 0 ? Owned(LockAcquisition.Acquired) : LockAcquisition.TimedOut;
            }
        }
    }

    /// <summary>Releases the lock held by this process, waking one sleeping acquirer if there is one.</summary>
    /// <exception cref="SynchronizationLockException">This process does not hold the lock.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public void Release()
    {
        ThrowIfDisposed();
        uint current = Volatile.Read(ref *_word);
        uint self = (uint)Pid.Current.Value;
        if ((current & ~SleepersBit) != self)
        {
            throw new SynchronizationLockException(current == 0
                ? "The lock is not held."
                : $"The lock is held by process {current & ~SleepersBit}, not by this process ({self}).");
        }

        if ((Interlocked.Exchange(ref *_word, 0) & SleepersBit) != 0)
        {
            Posix.FutexWake(_word, 1);
        }
    }

    /// <summary>
    /// Whether this process holds the lock: the word names its pid and the start time recorded
    /// with it is this process's, so a dead owner whose pid was recycled to this process does
    /// not count (on Linux; elsewhere start times are unknown, 0, and only the pid decides).
    /// </summary>
    internal bool IsHeldByCurrentProcess()
    {
        uint self = (uint)Pid.Current.Value;
        if ((Volatile.Read(ref *_word) & ~SleepersBit) != self)
        {
            return false;
        }

        return Volatile.Read(ref *(uint*)((byte*)_word + OwnerPidOffset)) == self
            && Volatile.Read(ref *(long*)((byte*)_word + OwnerStartTimeOffset)) == ProcessIdentity.CurrentStartTime();
    }

    /// <inheritdoc/>
    bool IConditionLock.IsHeldByCaller => IsHeldByCurrentProcess();

    /// <inheritdoc/>
    int IConditionLock.ReleaseForWait()
    {
        Release();
        return 1;
    }

    /// <inheritdoc/>
    LockAcquisition IConditionLock.ReacquireAfterWait(int depth) => TryAcquire(Timeout.InfiniteTimeSpan);

    /// <summary>Records this process's identity beside the word it has just taken: start time first, then pid.</summary>
    private LockAcquisition Owned(LockAcquisition outcome)
    {
        Volatile.Write(ref *(long*)((byte*)_word + OwnerStartTimeOffset), ProcessIdentity.CurrentStartTime());
        Volatile.Write(ref *(uint*)((byte*)_word + OwnerPidOffset), (uint)Pid.Current.Value);
        return outcome;
    }

    /// <summary>
    /// Does the owner named by the word still live? Its start time counts only once it has
    /// recorded it (the recorded pid matches, read before and after): until then, alive.
    /// </summary>
    private bool OwnerLives(uint owner)
    {
        uint* recordedPid = (uint*)((byte*)_word + OwnerPidOffset);
        uint before = Volatile.Read(ref *recordedPid);
        long startTime = Volatile.Read(ref *(long*)((byte*)_word + OwnerStartTimeOffset));
        bool identified = before == owner && Volatile.Read(ref *recordedPid) == owner;
        return ProcessIdentity.IsAlive(new Pid((int)owner), identified ? startTime : 0);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
