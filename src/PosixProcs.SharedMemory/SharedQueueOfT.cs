using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PosixProcs.SharedMemory;

/// <summary>
/// A bounded queue of typed items between processes (Python's multiprocessing.JoinableQueue),
/// over a multi-producer <see cref="RingBuffer"/>: any number of producer processes, one
/// consumer. Unmanaged items are copied raw, straight into the ring; other items go through
/// an <see cref="ISharedQueueSerializer{T}"/>, JSON by default.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// <para>Every enqueued item counts as unfinished until the consumer calls
/// <see cref="TaskDone"/> for it; <see cref="Join"/> waits until none is unfinished.
/// <see cref="Close"/> stops producers and wakes every sleeper: readers drain what is left,
/// then their dequeues return false.</para>
/// <para>Create the queue before forking (children inherit it), or with a descriptor backing
/// and hand <see cref="Region"/>'s descriptor to a spawned program, which calls
/// <see cref="SharedQueue.Attach{T}"/>. Dequeue from one thread of one process at a time.</para>
/// <para>An item whose deserialization throws is consumed all the same; the exception
/// reaches the caller of the dequeue, and the item still counts as unfinished.</para>
/// <para>Create one with <see cref="SharedQueue.Create{T}"/>.</para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue, named as Python's multiprocessing users look for it.")]
public sealed unsafe class SharedQueue<T> : IDisposable
{
    private readonly SharedMemoryRegion _region;
    private readonly bool _ownsRegion;
    private readonly RingBuffer _ring;
    private readonly ISharedQueueSerializer<T>? _serializer;
    private readonly uint* _closed;
    private readonly uint* _unfinished;
    private readonly int* _joiners;
    private readonly RingRecordHandler _receive;
    private readonly Func<bool> _isClosed;
    private T? _received;
    private long _blockedHead = -1;
    private long _blockedSince;
    private long _skippedRecords;
    private TimeSpan _stuckRecordTimeout = TimeSpan.FromSeconds(10);

    internal SharedQueue(SharedMemoryRegion region, bool ownsRegion, RingBuffer ring, ISharedQueueSerializer<T>? serializer)
    {
        _region = region;
        _ownsRegion = ownsRegion;
        _ring = ring;
        _serializer = serializer;
        byte* start = region.Pointer(0, SharedQueueLayout.RingOffset, RingBufferLayout.CacheLineSeparation, "offset");
        _closed = (uint*)(start + SharedQueueLayout.ClosedOffset);
        _unfinished = (uint*)(start + SharedQueueLayout.UnfinishedOffset);
        _joiners = (int*)(start + SharedQueueLayout.JoinersOffset);
        _receive = Receive;
        _isClosed = () => IsClosed;
    }

    /// <summary>The shared memory the queue lives in (its descriptor, for a descriptor-backed queue, can be handed to a spawned program).</summary>
    public SharedMemoryRegion Region => _region;

    /// <summary>
    /// How long the consumer lets one item that a producer claimed but never finished block
    /// the queue before it skips it (default 10 s): a producer killed in the middle of an
    /// enqueue leaves such an item behind, and without this every later item would wait
    /// behind it for ever. A live producer never takes that long between claim and publish
    /// unless it is stopped (SIGSTOP, a debugger); if it finishes after being skipped, the
    /// queue is corrupt. Per instance, for the consumer side.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan StuckRecordTimeout
    {
        get => _stuckRecordTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _stuckRecordTimeout = value;
        }
    }

    /// <summary>How many unfinished items of dead producers this consumer has skipped.</summary>
    public long SkippedRecords => Interlocked.Read(ref _skippedRecords);

    /// <summary>How often a waiting consumer looks for an item stuck by a dead producer.</summary>
    private static readonly TimeSpan StuckRecordCheckInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether <see cref="Close"/> was called, by any process.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool IsClosed
    {
        get
        {
            ThrowIfDisposed();
            return Volatile.Read(ref *_closed) != 0;
        }
    }

    /// <summary>Items enqueued and not yet marked done with <see cref="TaskDone"/> (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int UnfinishedCount
    {
        get
        {
            ThrowIfDisposed();
            return (int)Volatile.Read(ref *_unfinished);
        }
    }

    /// <summary>The largest serialized item the queue takes, in bytes.</summary>
    public int MaxItemLength => _ring.MaxPayloadLength;

    /// <summary>Enqueues <paramref name="item"/> if there is room now; never blocks.</summary>
    /// <param name="item">The item.</param>
    /// <returns>False if the queue is full.</returns>
    /// <exception cref="InvalidOperationException">The queue is closed.</exception>
    /// <exception cref="ArgumentException">The serialized item is longer than <see cref="MaxItemLength"/>.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool TryEnqueue(T item) => Enqueue(item, deadline: null, CancellationToken.None);

    /// <summary>Enqueues <paramref name="item"/>, waiting up to <paramref name="timeout"/> for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False if the time ran out.</returns>
    /// <exception cref="InvalidOperationException">The queue is closed, before or during the wait.</exception>
    /// <exception cref="ArgumentException">The serialized item is longer than <see cref="MaxItemLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool TryEnqueue(T item, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Enqueue(item, Deadline.After(timeout), cancellationToken);

    /// <summary>Dequeues an item if one is ready; never blocks.</summary>
    /// <param name="item">The item, when true is returned.</param>
    /// <returns>False if the queue is empty.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool TryDequeue([MaybeNullWhen(false)] out T item) => Dequeue(out item, deadline: null, CancellationToken.None);

    /// <summary>Dequeues an item, waiting up to <paramref name="timeout"/> for one.</summary>
    /// <param name="item">The item, when true is returned.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False if the time ran out, or the queue is closed and empty (see <see cref="IsClosed"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool TryDequeue([MaybeNullWhen(false)] out T item, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Dequeue(out item, Deadline.After(timeout), cancellationToken);

    /// <summary>Marks one dequeued item as processed; when none is left unfinished, wakes <see cref="Join"/>.</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were enqueued.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">The futex wake failed.</exception>
    public void TaskDone()
    {
        ThrowIfDisposed();
        uint unfinished;
        do
        {
            unfinished = Volatile.Read(ref *_unfinished);
            if (unfinished == 0)
            {
                throw new InvalidOperationException("TaskDone was called more times than items were enqueued.");
            }
        }
        while (Interlocked.CompareExchange(ref *_unfinished, unfinished - 1, unfinished) != unfinished);

        if (unfinished == 1)
        {
            WakeJoiners();
        }
    }

    /// <summary>Waits until every enqueued item has been marked done with <see cref="TaskDone"/>.</summary>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False if the time ran out first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool Join(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Deadline deadline = Deadline.After(timeout);
        while (true)
        {
            uint unfinished = Volatile.Read(ref *_unfinished);
            if (unfinished == 0)
            {
                return true;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref *_joiners);
            bool inTime;
            try
            {
                inTime = FutexSleep.OnState(_unfinished, unfinished, deadline, Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref *_joiners);
            }

            if (!inTime)
            {
                return Volatile.Read(ref *_unfinished) == 0;
            }
        }
    }

    /// <summary>
    /// Closes the queue for every process: later enqueues throw, sleeping producers wake and
    /// throw, the consumer drains what is left and then its dequeues return false.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex wake failed.</exception>
    public void Close()
    {
        ThrowIfDisposed();
        if (Interlocked.Exchange(ref *_closed, 1) == 0)
        {
            _ring.WakeAll();
        }
    }

    /// <summary>Unmaps the queue's memory if this object created it; an attached queue leaves the region to its owner.</summary>
    public void Dispose()
    {
        if (_ownsRegion)
        {
            _region.Dispose();
        }
    }

    private bool Enqueue(T item, Deadline? deadline, CancellationToken cancellationToken)
    {
        ThrowIfClosed();

        // Counted before it is visible, so that Join never sees 0 while an item is in flight.
        Interlocked.Increment(ref *_unfinished);
        bool written = false;
        try
        {
            written = _serializer is null ? EnqueueRaw(item, deadline, cancellationToken) : EnqueueSerialized(item, deadline, cancellationToken);
            if (!written && deadline is not null)
            {
                ThrowIfClosed();
            }

            return written;
        }
        finally
        {
            if (!written && Interlocked.Decrement(ref *_unfinished) == 0)
            {
                WakeJoiners();
            }
        }
    }

    private bool EnqueueRaw(T item, Deadline? deadline, CancellationToken cancellationToken)
    {
        CheckLength(Unsafe.SizeOf<T>(), nameof(item));
        if (deadline is null)
        {
            // Zero-copy: the item goes straight into the ring's memory.
            if (!_ring.TryClaim(SharedQueueLayout.ItemType, Unsafe.SizeOf<T>(), out RingClaim claim))
            {
                return false;
            }

            Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(claim.Span), item);
            claim.Commit();
            return true;
        }

        ReadOnlySpan<byte> bytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref item), Unsafe.SizeOf<T>());
        return _ring.WriteWaiting(SharedQueueLayout.ItemType, bytes, deadline.Value, _isClosed, cancellationToken);
    }

    private bool EnqueueSerialized(T item, Deadline? deadline, CancellationToken cancellationToken)
    {
        ArrayBufferWriter<byte> buffer = SerializationBuffer.Rent();
        try
        {
            _serializer!.Serialize(item, buffer);
            CheckLength(buffer.WrittenCount, nameof(item));
            return deadline is null
                ? _ring.TryWrite(SharedQueueLayout.ItemType, buffer.WrittenSpan)
                : _ring.WriteWaiting(SharedQueueLayout.ItemType, buffer.WrittenSpan, deadline.Value, _isClosed, cancellationToken);
        }
        finally
        {
            SerializationBuffer.Return(buffer);
        }
    }

    private bool Dequeue([MaybeNullWhen(false)] out T item, Deadline? deadline, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        int read;
        if (deadline is null)
        {
            read = _ring.TryRead(_receive, maxRecords: 1);
            if (read == 0 && UnblockIfStuck())
            {
                read = _ring.TryRead(_receive, maxRecords: 1);
            }
        }
        else
        {
            // While the head is blocked by a claimed, unpublished record, wait in slices, so
            // that the record of a dead producer is skipped once it has blocked long enough.
            // Otherwise sleep until data comes: another producer's publish wakes the consumer.
            while (true)
            {
                Deadline slice = _ring.BlockedHead() < 0 ? deadline.Value : Deadline.After(deadline.Value.RemainingAtMost(StuckRecordCheckInterval));
                read = _ring.ReadWaiting(_receive, slice, maxRecords: 1, _isClosed, cancellationToken);
                if (read > 0 || _isClosed() || (deadline.Value.HasPassed && !UnblockIfStuck()))
                {
                    break;
                }

                UnblockIfStuck();
            }
        }

        item = read == 1 ? _received! : default;
        _received = default;
        return read == 1;
    }

    /// <summary>
    /// Turns the head record into padding when it has stayed claimed but unpublished at the
    /// same position for <see cref="StuckRecordTimeout"/> (its producer died mid-enqueue).
    /// </summary>
    /// <returns>True if a record was skipped.</returns>
    private bool UnblockIfStuck()
    {
        long blocked = _ring.BlockedHead();
        if (blocked < 0)
        {
            _blockedHead = -1;
            return false;
        }

        if (blocked != _blockedHead)
        {
            _blockedHead = blocked;
            _blockedSince = Stopwatch.GetTimestamp();
            return false;
        }

        if (Stopwatch.GetElapsedTime(_blockedSince) < StuckRecordTimeout || !_ring.Unblock())
        {
            return false;
        }

        _blockedHead = -1;
        Interlocked.Increment(ref _skippedRecords);
        return true;
    }

    private void Receive(int type, ReadOnlySpan<byte> payload)
    {
        if (type != SharedQueueLayout.ItemType)
        {
            throw new InvalidDataException($"The queue's ring holds a record of type {type}; a queue only writes type {SharedQueueLayout.ItemType}. Another writer is using this memory.");
        }

        if (_serializer is not null)
        {
            _received = _serializer.Deserialize(payload);
            return;
        }

        if (payload.Length != Unsafe.SizeOf<T>())
        {
            throw new InvalidDataException($"A raw item of {payload.Length} bytes was read, but {typeof(T).Name} is {Unsafe.SizeOf<T>()} bytes.");
        }

        _received = Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(payload));
    }

    private void CheckLength(int length, string parameterName)
    {
        if (length > _ring.MaxPayloadLength)
        {
            throw new ArgumentException($"The item takes {length} bytes; this queue's ring of capacity {_ring.Capacity} takes at most {_ring.MaxPayloadLength} per item.", parameterName);
        }
    }

    private void WakeJoiners()
    {
        if (Volatile.Read(ref *_joiners) > 0)
        {
            Posix.FutexWake(_unfinished);
        }
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new InvalidOperationException("The queue is closed.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
