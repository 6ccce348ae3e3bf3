using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// A bounded buffer of ints in shared memory, the textbook use of a condition variable: a lock
/// (a <see cref="SharedLock"/>, or a <see cref="SharedRLock"/> taken at depth 2 so that waits
/// must let go of and restore both levels) and two conditions, "not empty" and "not full".
/// It counts notifications and the waits they ended, under the lock.
/// </summary>
internal sealed class ProducerConsumerBuffer
{
    private const int Count = 0;
    private const int Head = 1;
    private const int Tail = 2;
    private const int Consumed = 3;
    private const int NotEmptyNotified = 4;
    private const int NotEmptyWakeUps = 5;
    private const int NotFullNotified = 6;
    private const int NotFullWakeUps = 7;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly SharedLock? _lock;
    private readonly SharedRLock? _rlock;
    private readonly SharedCondition _notEmpty;
    private readonly SharedCondition _notFull;
    private readonly SharedArray<int> _state;
    private readonly SharedArray<int> _slots;

    /// <summary>Lays out the buffer in the first 128 + 4 × capacity bytes of <paramref name="region"/>, around a lock made at byte 0.</summary>
    public ProducerConsumerBuffer(SharedMemoryRegion region, SharedLock sharedLock, int capacity)
        : this(region, capacity) => _lock = sharedLock;

    /// <summary>As the other constructor, with a re-entrant lock.</summary>
    public ProducerConsumerBuffer(SharedMemoryRegion region, SharedRLock rlock, int capacity)
        : this(region, capacity) => _rlock = rlock;

    private ProducerConsumerBuffer(SharedMemoryRegion region, int capacity)
    {
        _notEmpty = SharedCondition.Create(region, 32);
        _notFull = SharedCondition.Create(region, 48);
        _state = new SharedArray<int>(region, 8, 64);
        _slots = new SharedArray<int>(region, capacity, 128);
    }

    /// <summary>Puts <paramref name="item"/> in, waiting while the buffer is full; false if a bound ran out.</summary>
    public bool Put(int item)
    {
        if (!Enter())
        {
            return false;
        }

        try
        {
            while (_state[Count] == _slots.Length)
            {
                if (!Wait(_notFull))
                {
                    return false;
                }

                _state[NotFullWakeUps]++;
            }

            _slots[_state[Tail]] = item;
            _state[Tail] = (_state[Tail] + 1) % _slots.Length;
            _state[Count]++;
            _state[NotEmptyNotified] += _notEmpty.Notify();
            return true;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Takes items until <paramref name="total"/> were taken by all consumers, counting each in <paramref name="seen"/>; false if a bound ran out.</summary>
    public bool TakeAll(int total, SharedArray<int> seen)
    {
        while (true)
        {
            if (!Enter())
            {
                return false;
            }

            try
            {
                while (_state[Count] == 0 && _state[Consumed] < total)
                {
                    if (!Wait(_notEmpty))
                    {
                        return false;
                    }

                    _state[NotEmptyWakeUps]++;
                }

                if (_state[Consumed] == total)
                {
                    return true;
                }

                int item = _slots[_state[Head]];
                _state[Head] = (_state[Head] + 1) % _slots.Length;
                _state[Count]--;
                _state[Consumed]++;
                seen[item]++;
                _state[NotFullNotified] += _notFull.Notify();
                if (_state[Consumed] == total)
                {
                    // The other consumers are waiting for items that will not come.
                    _state[NotEmptyNotified] += _notEmpty.NotifyAll();
                }
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Prints the counters as key=value lines.</summary>
    public void PrintCounts()
    {
        Console.WriteLine($"consumed={_state[Consumed]}");
        Console.WriteLine($"notEmptyNotified={_state[NotEmptyNotified]}");
        Console.WriteLine($"notEmptyWakeUps={_state[NotEmptyWakeUps]}");
        Console.WriteLine($"notFullNotified={_state[NotFullNotified]}");
        Console.WriteLine($"notFullWakeUps={_state[NotFullWakeUps]}");
    }

    private bool Enter()
    {
        if (_lock is not null)
        {
            return _lock.TryAcquire(Bound) == LockAcquisition.Acquired;
        }

        return _rlock!.TryAcquire(Bound) == LockAcquisition.Acquired && _rlock.TryAcquire(TimeSpan.Zero) == LockAcquisition.Acquired;
    }

    private void Exit()
    {
        if (_lock is not null)
        {
            _lock.Release();
            return;
        }

        // Both levels are back after every wait: a lost level would make the second release throw.
        _rlock!.Release();
        _rlock.Release();
    }

    private bool Wait(SharedCondition condition) =>
        _lock is not null ? condition.Wait(_lock, Bound) : condition.Wait(_rlock!, Bound);
}
