namespace PosixProcs.SharedMemory;

/// <summary>
/// A condition variable in shared memory, for processes (Python's multiprocessing.Condition):
/// a process holding a <see cref="SharedLock"/> or <see cref="SharedRLock"/> waits, letting go
/// of the lock, until another notifies it; then it holds the lock again and re-checks what it
/// waited for.
/// </summary>
/// <remarks>
/// <para>Layout, 12 bytes at a 4-byte aligned offset: sequence (the futex word), waiting,
/// wake-ups. Waiting and the sequence change only under the lock: a waiter registers
/// (waiting + 1) and reads the sequence before it lets go of the lock, and
/// <see cref="Notify"/> moves up to n registered waiters to wake-ups, bumps the sequence and
/// wakes that many sleepers on it. A waiter leaves the wait by taking one wake-up (an atomic
/// decrement) once the sequence has moved past the value it read, so a wait that starts after
/// a notification cannot take the wake-up meant for one that was already waiting; a waiter
/// whose time runs out withdraws under the lock. Each wake-up is taken by exactly one wait,
/// which returns true: <c>Notify(1)</c> with two waiters returns one of them. Sleeping is a
/// futex wait on the sequence: nothing spins, and a notification with nobody waiting makes no
/// system call.</para>
/// <para>Call <see cref="Notify"/> and <see cref="NotifyAll"/> while holding the lock the
/// waiters use, as Python requires (it cannot be checked here: the condition does not know the
/// lock). As with Python's and every condition variable, loop on the predicate you wait for
/// (or use <see cref="WaitFor(SharedLock, Func{bool}, TimeSpan, CancellationToken)"/>): another
/// process may change it between the notification and the moment the woken waiter holds the lock.</para>
/// <para>A waiter that dies leaves its registration behind: a later notification may spend a
/// wake-up on it, which wakes no one (Python's Condition has the same flaw with its
/// semaphores). A sequence that wraps around 2^32 times during one wait would look unchanged.</para>
/// </remarks>
public sealed unsafe class SharedCondition
{
    /// <summary>The bytes a condition takes in a region.</summary>
    public const int Size = 3 * sizeof(uint);

    private const string AbandonedMessage = "The process that held the lock died while this one waited on the condition; the lock is held now: repair the data it guards.";

    private const string NotHeldMessage = "Waiting on a condition needs its lock held by the caller (this process for a SharedLock, this thread for a SharedRLock), and it is not.";

    private readonly SharedMemoryRegion _region;
    private readonly uint* _sequence;
    private readonly int* _waiting;
    private readonly int* _wakeUps;

    private SharedCondition(SharedMemoryRegion region, byte* start)
    {
        _region = region;
        _sequence = (uint*)start;
        _waiting = (int*)(start + 4);
        _wakeUps = (int*)(start + 8);
    }

    /// <summary>
    /// How many waiters are registered and not yet notified (a snapshot; exact while the
    /// waiters' lock is held). A waiter counts from the moment it let go of the lock in Wait.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int WaitingCount
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_waiting);
        }
    }

    /// <summary>Lays out a new condition at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the condition.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The condition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The condition does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedCondition Create(SharedMemoryRegion region, long offset = 0)
    {
        SharedCondition condition = Attach(region, offset);
        Volatile.Write(ref *condition._waiting, 0);
        Volatile.Write(ref *condition._wakeUps, 0);
        Volatile.Write(ref *condition._sequence, 0u);
        return condition;
    }

    /// <summary>Opens a condition that <see cref="Create"/> laid out (in this process or another).</summary>
    /// <param name="region">The shared region; it must outlive the condition.</param>
    /// <param name="offset">A multiple of 4.</param>
    /// <returns>The condition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The condition does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedCondition Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new SharedCondition(region, region.Pointer(offset, Size, sizeof(uint), nameof(offset)));
    }

    /// <summary>
    /// Lets go of <paramref name="lock"/>, sleeps until notified or until
    /// <paramref name="timeout"/>, then takes the lock again (without a time limit, as Python
    /// does) before returning, also when it throws.
    /// </summary>
    /// <param name="lock">The lock, held by this process.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait (the lock is held again when it throws).</param>
    /// <returns>True if notified; false if the time ran out first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">This process does not hold <paramref name="lock"/>.</exception>
    /// <exception cref="AbandonedMutexException">
    /// While this process waited, the process then holding the lock died; the lock is held
    /// now, as after <see cref="LockAcquisition.OwnerDied"/>: repair the data it guards.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public bool Wait(SharedLock @lock, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        return WaitHolding(@lock, timeout, cancellationToken);
    }

    /// <summary>
    /// Lets go of <paramref name="lock"/> at every recursion level, sleeps until notified or
    /// until <paramref name="timeout"/>, then takes the lock again at the same depth (without
    /// a time limit, as Python does) before returning, also when it throws.
    /// </summary>
    /// <param name="lock">The lock, held by this thread.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait (the lock is held again when it throws).</param>
    /// <returns>True if notified; false if the time ran out first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">This thread does not hold <paramref name="lock"/>.</exception>
    /// <exception cref="AbandonedMutexException">
    /// While this thread waited, the process then holding the lock died; the lock is held
    /// now, as after <see cref="LockAcquisition.OwnerDied"/>: repair the data it guards.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public bool Wait(SharedRLock @lock, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        return WaitHolding(@lock, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> is true (Python's <c>wait_for</c>): checks it
    /// first, then after each wake-up, holding <paramref name="lock"/> each time.
    /// </summary>
    /// <param name="lock">The lock, held by this process.</param>
    /// <param name="predicate">What to wait for; called with the lock held.</param>
    /// <param name="timeout">How long to wait at most, in all; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait (the lock is held again when it throws).</param>
    /// <returns>The predicate's last value: false only if the time ran out.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">This process does not hold <paramref name="lock"/>.</exception>
    /// <exception cref="AbandonedMutexException">The process then holding the lock died during a wait; the lock is held.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public bool WaitFor(SharedLock @lock, Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        return WaitForHolding(@lock, predicate, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> is true (Python's <c>wait_for</c>): checks it
    /// first, then after each wake-up, holding <paramref name="lock"/> each time.
    /// </summary>
    /// <param name="lock">The lock, held by this thread.</param>
    /// <param name="predicate">What to wait for; called with the lock held.</param>
    /// <param name="timeout">How long to wait at most, in all; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait (the lock is held again when it throws).</param>
    /// <returns>The predicate's last value: false only if the time ran out.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="SynchronizationLockException">This thread does not hold <paramref name="lock"/>.</exception>
    /// <exception cref="AbandonedMutexException">The process then holding the lock died during a wait; the lock is held.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the lock is held.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex or kill call failed.</exception>
    public bool WaitFor(SharedRLock @lock, Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        return WaitForHolding(@lock, predicate, timeout, cancellationToken);
    }

    /// <summary>
    /// Wakes up to <paramref name="count"/> of the waiters registered now (the oldest are not
    /// preferred). Call it holding the waiters' lock.
    /// </summary>
    /// <param name="count">0 or more.</param>
    /// <returns>How many waiters were notified: each of them returns true from its wait.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public int Notify(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfDisposed();
        int waiting = Volatile.Read(ref *_waiting);
        int notified = Math.Min(count, waiting);
        if (notified == 0)
        {
            return 0;
        }

        // Wake-ups first, then the sequence: a waiter that reads the new sequence finds them.
        Volatile.Write(ref *_waiting, waiting - notified);
        Interlocked.Add(ref *_wakeUps, notified);
        Interlocked.Increment(ref *_sequence);
        Posix.FutexWake(_sequence, notified);
        return notified;
    }

    /// <summary>Wakes every waiter registered now. Call it holding the waiters' lock.</summary>
    /// <returns>How many waiters were notified.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public int NotifyAll() => Notify(int.MaxValue);

    private bool WaitForHolding(IConditionLock held, Func<bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        if (!held.IsHeldByCaller)
        {
            throw new SynchronizationLockException(NotHeldMessage);
        }

        bool result = predicate();
        while (!result && !deadline.HasPassed)
        {
            WaitHolding(held, deadline.Remaining, cancellationToken);
            result = predicate();
        }

        return result;
    }

    private bool WaitHolding(IConditionLock held, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        if (!held.IsHeldByCaller)
        {
            throw new SynchronizationLockException(NotHeldMessage);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Registered under the lock: a notification from now on counts this waiter.
        Volatile.Write(ref *_waiting, Volatile.Read(ref *_waiting) + 1);
        uint registeredAt = Volatile.Read(ref *_sequence);
        int depth = held.ReleaseForWait();
        bool notified;
        try
        {
            notified = SleepUntilNotified(registeredAt, deadline, cancellationToken);
        }
        catch (Exception ex)
        {
            // Leave holding the lock, as every wait does; a wake-up this waiter took on its
            // way out belongs to another waiter now.
            LockAcquisition reacquiredAfterFailure = held.ReacquireAfterWait(depth);
            if (Withdraw(registeredAt))
            {
                Notify(1);
            }

            if (reacquiredAfterFailure == LockAcquisition.OwnerDied)
            {
                throw new AbandonedMutexException(AbandonedMessage, ex);
            }

            throw;
        }

        LockAcquisition reacquired = held.ReacquireAfterWait(depth);
        if (!notified)
        {
            notified = Withdraw(registeredAt);
        }

        return reacquired == LockAcquisition.OwnerDied ? throw new AbandonedMutexException(AbandonedMessage) : notified;
    }

    /// <summary>Sleeps on the sequence until this waiter takes a wake-up (true), or the deadline (false).</summary>
    private bool SleepUntilNotified(uint registeredAt, Deadline deadline, CancellationToken cancellationToken)
    {
        bool inTime = true;
        while (true)
        {
            // The sequence before the wake-ups: a notification adds wake-ups before it bumps
            // the sequence, so if none is left now, the futex sees the next bump.
            uint sequence = Volatile.Read(ref *_sequence);
            if (sequence != registeredAt && TryTakeWakeUp())
            {
                return true;
            }

            if (!inTime)
            {
                return false;
            }

            inTime = FutexSleep.OnState(_sequence, sequence, deadline, Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    /// <summary>
    /// Leaves the wait after a timeout or cancellation, holding the lock again. A waiter that a
    /// notification could have counted (the sequence moved) takes a wake-up if one is left,
    /// which keeps each wake-up for a waiter that can take it; otherwise it is still among the
    /// registered waiters, and unregisters.
    /// </summary>
    /// <returns>True if it took a wake-up (it was notified after all).</returns>
    private bool Withdraw(uint registeredAt)
    {
        if (Volatile.Read(ref *_sequence) != registeredAt && TryTakeWakeUp())
        {
            return true;
        }

        Volatile.Write(ref *_waiting, Volatile.Read(ref *_waiting) - 1);
        return false;
    }

    private bool TryTakeWakeUp()
    {
        int wakeUps = Volatile.Read(ref *_wakeUps);
        while (wakeUps > 0)
        {
            int seen = Interlocked.CompareExchange(ref *_wakeUps, wakeUps - 1, wakeUps);
            if (seen == wakeUps)
            {
                return true;
            }

            wakeUps = seen;
        }

        return false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
