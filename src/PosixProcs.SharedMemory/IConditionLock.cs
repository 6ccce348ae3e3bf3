namespace PosixProcs.SharedMemory;

/// <summary>
/// What <see cref="SharedCondition"/> needs from the lock its waiters hold: to check the caller
/// holds it, to let go of it entirely while sleeping, and to take it back as it was.
/// </summary>
internal interface IConditionLock
{
    /// <summary>Whether the caller holds the lock (this process for a <see cref="SharedLock"/>, this thread for a <see cref="SharedRLock"/>).</summary>
    bool IsHeldByCaller { get; }

    /// <summary>Releases the lock at every recursion level; returns the depth to restore.</summary>
    int ReleaseForWait();

    /// <summary>Takes the lock again, waiting as long as it takes, at <paramref name="depth"/> levels.</summary>
    LockAcquisition ReacquireAfterWait(int depth);
}
