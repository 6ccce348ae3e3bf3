namespace PosixProcs.SharedMemory;

/// <summary>
/// A reusable barrier in shared memory, for processes (Python's multiprocessing.Barrier):
/// each of <see cref="ParticipantCount"/> participants calls <see cref="SignalAndWait"/>, and
/// all of them continue once the last one has arrived; then the next phase begins.
/// </summary>
/// <remarks>
/// <para>Layout, 16 bytes at an 8-byte aligned offset: phase and arrivals still missing,
/// packed in one 64-bit word so that arriving and withdrawing are single compare-and-swaps;
/// the phase's low 32 bits again, as the futex word sleepers wait on; the participant count.</para>
/// <para>A participant whose wait times out withdraws its arrival, as .NET's Barrier does,
/// unless the phase completed meanwhile (then the wait succeeded). A participant that dies
/// before arriving leaves the others waiting until their timeouts.</para>
/// </remarks>
public sealed unsafe class SharedBarrier
{
    /// <summary>The bytes a barrier takes in a region.</summary>
    public const int Size = 16;

    private readonly SharedMemoryRegion _region;
    private readonly ulong* _state;
    private readonly uint* _phaseSignal;
    private readonly int* _participants;

    private SharedBarrier(SharedMemoryRegion region, byte* start)
    {
        _region = region;
        _state = (ulong*)start;
        _phaseSignal = (uint*)(start + 8);
        _participants = (int*)(start + 12);
    }

    /// <summary>How many participants each phase waits for.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int ParticipantCount
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_participants);
        }
    }

    /// <summary>The number of phases completed so far, modulo 2^32 (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public long CurrentPhase
    {
        get
        {
            ThrowIfDisposed();
            return Phase(Volatile.Read(ref *_state));
        }
    }

    /// <summary>Lays out a new barrier at <paramref name="offset"/> (before other processes use it).</summary>
    /// <param name="region">The shared region; it must outlive the barrier.</param>
    /// <param name="participantCount">Participants per phase, 1 or more.</param>
    /// <param name="offset">A multiple of 8.</param>
    /// <returns>The barrier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="participantCount"/> is below 1, or the barrier does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedBarrier Create(SharedMemoryRegion region, int participantCount, long offset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(participantCount);
        SharedBarrier barrier = Attach(region, offset);
        Volatile.Write(ref *barrier._participants, participantCount);
        Volatile.Write(ref *barrier._phaseSignal, 0u);
        Volatile.Write(ref *barrier._state, Pack(0, (uint)participantCount));
        return barrier;
    }

    /// <summary>Opens a barrier that <see cref="Create"/> laid out (in this process or another).</summary>
    /// <param name="region">The shared region; it must outlive the barrier.</param>
    /// <param name="offset">A multiple of 8.</param>
    /// <returns>The barrier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The barrier does not fit in the region there.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static SharedBarrier Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new SharedBarrier(region, region.Pointer(offset, Size, sizeof(ulong), nameof(offset)));
    }

    /// <summary>Arrives at the barrier and waits until every participant of this phase has.</summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait (the arrival is withdrawn, as on a timeout).</param>
    /// <returns>True when the phase completed; false if the time ran out first (the arrival is withdrawn).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool SignalAndWait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        cancellationToken.ThrowIfCancellationRequested();
        uint participants = (uint)Volatile.Read(ref *_participants);
        ulong state;
        ulong next;
        do
        {
            state = Volatile.Read(ref *_state);
            next = Missing(state) == 1 ? Pack(Phase(state) + 1, participants) : state - 1;
        }
        while (Interlocked.CompareExchange(ref *_state, next, state) != state);

        long phase = Phase(state);
        if (Missing(state) == 1)
        {
            // The last arrival: publish the new phase on the futex word and wake everyone.
            Volatile.Write(ref *_phaseSignal, (uint)(phase + 1));
            Posix.FutexWake(_phaseSignal);
            return true;
        }

        try
        {
            while (Phase(Volatile.Read(ref *_state)) == phase)
            {
                if (!FutexSleep.OnState(_phaseSignal, (uint)phase, deadline, Timeout.InfiniteTimeSpan, cancellationToken))
                {
                    // Out of time; but if the phase completed meanwhile, the wait succeeded.
                    return !Withdraw(phase);
                }
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            if (!Withdraw(phase))
            {
                return true;
            }

            throw;
        }
    }

    private static ulong Pack(long phase, uint missing) => ((ulong)phase << 32) | missing;

    private static long Phase(ulong state) => (long)(state >> 32);

    private static uint Missing(ulong state) => (uint)state;

    /// <summary>Takes back this participant's arrival if <paramref name="phase"/> is still open.</summary>
    /// <returns>True if withdrawn; false if the phase had completed.</returns>
    private bool Withdraw(long phase)
    {
        ulong state;
        do
        {
            state = Volatile.Read(ref *_state);
            if (Phase(state) != phase)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref *_state, state + 1, state) != state);

        return true;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
