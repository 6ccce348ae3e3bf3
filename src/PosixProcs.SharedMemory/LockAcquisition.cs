namespace PosixProcs.SharedMemory;

/// <summary>How a <see cref="SharedLock.TryAcquire"/> ended.</summary>
public enum LockAcquisition
{
    /// <summary>The time ran out; the lock is not held.</summary>
    TimedOut = 0,

    /// <summary>The lock is held, taken in the ordinary way.</summary>
    Acquired = 1,

    /// <summary>
    /// The lock is held, taken over from an owner process that died while holding it (the
    /// robust-mutex EOWNERDEAD case). The data it guards may be half updated: check or
    /// repair it before relying on it. Release the lock as usual when done.
    /// </summary>
    OwnerDied = 2,
}
