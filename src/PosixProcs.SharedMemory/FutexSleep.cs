namespace PosixProcs.SharedMemory;

/// <summary>Sleeping on a futex word in shared memory with a deadline and a cancellation token.</summary>
internal static unsafe class FutexSleep
{
    /// <summary>
    /// How long a cancellable sleep on a word that cancellation must not modify lasts at most:
    /// the wake-up a cancellation sends can land just before the waiter enters the kernel,
    /// and this bounds how late the waiter then notices.
    /// </summary>
    private static readonly TimeSpan CancellationSlice = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest single futex sleep: callers re-check and sleep again, and the kernel call takes nanoseconds in 64 bits.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, until woken, the deadline, or cancellation.
    /// Cancellation increments <paramref name="word"/> and wakes every sleeper on it, so
    /// only pass words that are pure wake-up sequence numbers (spurious wake-ups are fine).
    /// </summary>
    /// <returns>False when the deadline passed; true otherwise (re-check the condition).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PosixException">The futex call failed.</exception>
    public static bool OnSequence(uint* word, uint expected, Deadline deadline, CancellationToken cancellationToken)
    {
        if (deadline.HasPassed)
        {
            return false;
        }

        if (!cancellationToken.CanBeCanceled)
        {
            Posix.FutexWait(word, expected, deadline.RemainingAtMost(LongestSleep));
            return !deadline.HasPassed;
        }

        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => BumpAndWake((nint)state!), (nint)word);
        cancellationToken.ThrowIfCancellationRequested();
        Posix.FutexWait(word, expected, deadline.RemainingAtMost(LongestSleep));
        cancellationToken.ThrowIfCancellationRequested();
        return !deadline.HasPassed;
    }

    /// <summary>
    /// Sleeps while <c>*word == expected</c> on a word that holds state (a lock or a count),
    /// which cancellation must not change: it only wakes, and cancellable sleeps are cut into
    /// short slices so a wake-up that comes too early is not lost for long.
    /// </summary>
    /// <param name="word">The futex word.</param>
    /// <param name="expected">The value to sleep on.</param>
    /// <param name="deadline">When to give up.</param>
    /// <param name="maximumSlice">The longest single sleep (the caller re-checks something between sleeps); infinite for none.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False when the deadline passed; true otherwise (re-check the condition).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="PosixException">The futex call failed.</exception>
    public static bool OnState(uint* word, uint expected, Deadline deadline, TimeSpan maximumSlice, CancellationToken cancellationToken)
    {
        if (deadline.HasPassed)
        {
            return false;
        }

        if (!cancellationToken.CanBeCanceled)
        {
            Posix.FutexWait(word, expected, deadline.RemainingAtMost(maximumSlice == Timeout.InfiniteTimeSpan || maximumSlice > LongestSleep ? LongestSleep : maximumSlice));
            return !deadline.HasPassed;
        }

        TimeSpan slice = maximumSlice == Timeout.InfiniteTimeSpan || maximumSlice > CancellationSlice ? CancellationSlice : maximumSlice;
        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => Posix.FutexWake((uint*)(nint)state!), (nint)word);
        cancellationToken.ThrowIfCancellationRequested();
        Posix.FutexWait(word, expected, deadline.RemainingAtMost(slice));
        cancellationToken.ThrowIfCancellationRequested();
        return !deadline.HasPassed;
    }

    /// <summary>Increments a sequence word and wakes every sleeper on it.</summary>
    /// <exception cref="PosixException">The futex call failed.</exception>
    public static void BumpAndWake(nint word)
    {
        Interlocked.Increment(ref *(uint*)word);
        Posix.FutexWake((uint*)word);
    }
}
