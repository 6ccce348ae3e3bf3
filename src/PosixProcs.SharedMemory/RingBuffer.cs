using System.Numerics;
using System.Runtime.CompilerServices;

namespace PosixProcs.SharedMemory;

/// <summary>
/// A ring buffer of variable-length records in shared memory, one consumer and one or many
/// producers, in any processes that map the region (Agrona's OneToOne and ManyToOne rings
/// are the model). Create it with <see cref="Create"/>, open it elsewhere with
/// <see cref="Attach"/>; layout in <c>RingBufferLayout</c>, record format in <c>RingRecord</c>.
/// </summary>
/// <remarks>
/// <para>Write protocol (every producer):</para>
/// <list type="number">
/// <item>claim space by moving the tail (a plain ordered store with one producer, a
/// compare-and-swap with many); put a padding record at the end of the buffer first when the
/// record does not fit there;</item>
/// <item>mark the record claimed: its length, negated, with a release store;</item>
/// <item>write the type and the payload;</item>
/// <item>publish: the positive length with a release store (<see cref="Volatile.Write(ref int, int)"/>);
/// the consumer reads the length with acquire semantics, so it sees the whole payload.</item>
/// </list>
/// <para>The consumer reads published records from the head, then zeroes the bytes it has
/// read (so the next claim there starts from length 0) and moves the head with a release store.</para>
/// <para>Full buffers are reported by <see cref="TryWrite"/> and <see cref="TryClaim"/> returning
/// false: no exception on the hot path. The blocking <see cref="Write"/>, <see cref="Claim"/> and
/// <see cref="Read(RingRecordHandler, TimeSpan, int, CancellationToken)"/> spin briefly and then
/// sleep on a futex word; the other side only makes the wake-up system call when a sleeper
/// has said it is sleeping.</para>
/// <para>A producer that dies between claim and publish leaves the consumer stuck at its
/// record; after a timeout, the consumer calls <see cref="Unblock"/> to turn it into padding.
/// A producer killed while asleep leaves its announcement behind: the consumer then makes
/// a needless wake-up call per batch, a cost but not an error.</para>
/// <para>The consumer side (reads, <see cref="Unblock"/>) must be used by one thread of one
/// process at a time; with <see cref="RingBufferProducers.One"/>, so must the producer side.</para>
/// </remarks>
public abstract unsafe class RingBuffer
{
    private readonly SharedMemoryRegion _region;
    private readonly int* _consumerWaiting;
    private readonly uint* _dataSignal;
    private readonly int* _producersWaiting;
    private readonly uint* _spaceSignal;
    private int _spinsBeforeSleep = DefaultSpinsBeforeSleep;

    private protected RingBuffer(SharedMemoryRegion region, byte* start, int capacity)
    {
        _region = region;
        Capacity = capacity;
        Mask = capacity - 1;
        Records = start + RingBufferLayout.HeaderLength;
        Tail = (long*)(start + RingBufferLayout.TailOffset);
        Head = (long*)(start + RingBufferLayout.HeadOffset);
        _consumerWaiting = (int*)(start + RingBufferLayout.ConsumerWaitingOffset);
        _dataSignal = (uint*)(start + RingBufferLayout.DataSignalOffset);
        _producersWaiting = (int*)(start + RingBufferLayout.ProducersWaitingOffset);
        _spaceSignal = (uint*)(start + RingBufferLayout.SpaceSignalOffset);
    }

    /// <summary>
    /// The default of <see cref="SpinsBeforeSleep"/>: ten busy spins, then four yields of the
    /// processor. Measured on this project's 2-core machine under load: without the yields
    /// the consumer fell asleep between almost every two records, and a futex wake per
    /// record held 64-byte throughput to 0.3 M records/s; with them, 7 M records/s.
    /// </summary>
    public const int DefaultSpinsBeforeSleep = 14;

    /// <summary>
    /// How many rounds of <see cref="SpinWait"/> a blocking call makes before it sleeps on the
    /// futex: the first ten busy-wait, later ones yield the processor. More favours
    /// throughput, fewer favour idle processors and latency on a crowded machine. This
    /// instance only (not shared). Default: <see cref="DefaultSpinsBeforeSleep"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int SpinsBeforeSleep
    {
        get => _spinsBeforeSleep;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _spinsBeforeSleep = value;
        }
    }

    /// <summary>The bytes available for records (headers and alignment included): a power of two.</summary>
    public int Capacity { get; }

    /// <summary>The largest payload one record may carry: an eighth of the capacity minus the header, as in Agrona, so that one record never starves the others.</summary>
    public int MaxPayloadLength => (Capacity / 8) - RingRecord.HeaderLength;

    /// <summary>One producer or many.</summary>
    public abstract RingBufferProducers Producers { get; }

    /// <summary>Bytes claimed and not yet consumed (a snapshot).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public int Size
    {
        get
        {
            ThrowIfDisposed();
            long head = Volatile.Read(ref *Head);
            long tail = Volatile.Read(ref *Tail);
            return (int)Math.Clamp(tail - head, 0, Capacity);
        }
    }

    /// <summary>Capacity minus one: turns a position into an index.</summary>
    private protected int Mask { get; }

    /// <summary>The first byte of the records.</summary>
    private protected byte* Records { get; }

    /// <summary>The tail position: where the next claim starts.</summary>
    private protected long* Tail { get; }

    /// <summary>The head position: where the consumer reads next.</summary>
    private protected long* Head { get; }

    /// <summary>The bytes a region needs, from the ring's offset on, for a ring of <paramref name="capacity"/>.</summary>
    /// <param name="capacity">The record capacity: a power of two from 64 to 2^30.</param>
    /// <returns>Header plus capacity.</returns>
    /// <exception cref="ArgumentException"><paramref name="capacity"/> is not a power of two in range.</exception>
    public static long RequiredLength(int capacity)
    {
        CheckCapacity(capacity, nameof(capacity));
        return RingBufferLayout.HeaderLength + (long)capacity;
    }

    /// <summary>
    /// Lays out a new, empty ring at <paramref name="offset"/> in <paramref name="region"/>
    /// (overwriting what was there). Create it before any other process uses it, e.g. before fork.
    /// </summary>
    /// <param name="region">The shared region; it must outlive the ring.</param>
    /// <param name="capacity">Bytes for records: a power of two from 64 to 2^30.</param>
    /// <param name="producers">One producer or many.</param>
    /// <param name="offset">Where the ring starts in the region: a multiple of 128.</param>
    /// <returns>The ring.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The capacity is not a power of two in range, the offset is misaligned, or <paramref name="producers"/> is undefined.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The ring does not fit in the region.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static RingBuffer Create(SharedMemoryRegion region, int capacity, RingBufferProducers producers, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        long length = RequiredLength(capacity);
        if (!Enum.IsDefined(producers))
        {
            throw new ArgumentOutOfRangeException(nameof(producers), producers, "Unknown producer mode.");
        }

        byte* start = region.Pointer(offset, length, RingBufferLayout.CacheLineSeparation, nameof(offset));
        new Span<byte>(start, RingBufferLayout.HeaderLength).Clear();
        ClearRecords(start + RingBufferLayout.HeaderLength, capacity);
        *(int*)(start + RingBufferLayout.VersionOffset) = RingBufferLayout.Version;
        *(int*)(start + RingBufferLayout.CapacityOffset) = capacity;
        *(int*)(start + RingBufferLayout.ProducersOffset) = (int)producers;

        // The magic goes last, with release semantics: whoever sees it sees a complete header.
        Volatile.Write(ref *(ulong*)(start + RingBufferLayout.MagicOffset), RingBufferLayout.Magic);
        return Open(region, start, capacity, producers);
    }

    /// <summary>
    /// Opens a ring that <see cref="Create"/> laid out at <paramref name="offset"/> in
    /// <paramref name="region"/> (in this process or another), after checking its header.
    /// </summary>
    /// <param name="region">The shared region; it must outlive the ring.</param>
    /// <param name="offset">Where the ring starts: a multiple of 128.</param>
    /// <returns>The ring, single- or multi-producer as it was created.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentException">The offset is misaligned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the region.</exception>
    /// <exception cref="InvalidDataException">The memory does not hold a ring of this layout: wrong magic, another layout version, a bad capacity or producer mode, or a ring larger than the region.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static RingBuffer Attach(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        byte* start = region.Pointer(offset, RingBufferLayout.HeaderLength, RingBufferLayout.CacheLineSeparation, nameof(offset));
        ulong magic = Volatile.Read(ref *(ulong*)(start + RingBufferLayout.MagicOffset));
        if (magic != RingBufferLayout.Magic)
        {
            throw new InvalidDataException($"No ring buffer at offset {offset}: the magic number is 0x{magic:X16}, expected 0x{RingBufferLayout.Magic:X16}.");
        }

        int version = *(int*)(start + RingBufferLayout.VersionOffset);
        if (version != RingBufferLayout.Version)
        {
            throw new InvalidDataException($"The ring buffer at offset {offset} has layout version {version}; this library reads version {RingBufferLayout.Version}.");
        }

        int capacity = *(int*)(start + RingBufferLayout.CapacityOffset);
        if (!IsValidCapacity(capacity))
        {
            throw new InvalidDataException($"The ring buffer at offset {offset} has capacity {capacity}: not a power of two from {RingBufferLayout.MinimumCapacity} to {RingBufferLayout.MaximumCapacity}. The header is corrupted.");
        }

        if (offset + RingBufferLayout.HeaderLength + (long)capacity > region.Length)
        {
            throw new InvalidDataException($"The ring buffer at offset {offset} needs {RingBufferLayout.HeaderLength + (long)capacity} bytes, but the region has {region.Length - offset} bytes from there.");
        }

        var producers = (RingBufferProducers)(*(int*)(start + RingBufferLayout.ProducersOffset));
        if (!Enum.IsDefined(producers))
        {
            throw new InvalidDataException($"The ring buffer at offset {offset} has producer mode {(int)producers}, which is neither {(int)RingBufferProducers.One} (single) nor {(int)RingBufferProducers.Many} (multiple). The header is corrupted.");
        }

        return Open(region, start, capacity, producers);
    }

    /// <summary>Claims space for a record of <paramref name="length"/> payload bytes, to be written in place.</summary>
    /// <param name="type">The record's type, 1 or more.</param>
    /// <param name="length">Payload bytes, 0 to <see cref="MaxPayloadLength"/>.</param>
    /// <param name="claim">The claimed space when true is returned; commit or abort it exactly once.</param>
    /// <returns>False if the ring is too full now.</returns>
    /// <exception cref="ArgumentException">The type is below 1, or the length is negative or above <see cref="MaxPayloadLength"/>.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool TryClaim(int type, int length, out RingClaim claim)
    {
        CheckRecord(type, length);
        int recordLength = length + RingRecord.HeaderLength;
        int index = ClaimSpace(RingRecord.Align(recordLength));
        if (index < 0)
        {
            claim = default;
            return false;
        }

        byte* record = Records + index;
        Volatile.Write(ref *(int*)(record + RingRecord.LengthOffset), -recordLength);
        *(int*)(record + RingRecord.TypeOffset) = type;
        claim = new RingClaim(this, index, recordLength, new Span<byte>(record + RingRecord.HeaderLength, length));
        return true;
    }

    /// <summary>Writes one record if there is room now; never blocks.</summary>
    /// <param name="type">The record's type, 1 or more.</param>
    /// <param name="payload">The payload, at most <see cref="MaxPayloadLength"/> bytes.</param>
    /// <returns>False if the ring is too full now.</returns>
    /// <exception cref="ArgumentException">The type is below 1, or the payload is longer than <see cref="MaxPayloadLength"/>.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">Waking a sleeping consumer failed.</exception>
    public bool TryWrite(int type, ReadOnlySpan<byte> payload)
    {
        if (!TryClaim(type, payload.Length, out RingClaim claim))
        {
            return false;
        }

        payload.CopyTo(claim.Span);
        claim.Commit();
        return true;
    }

    /// <summary>Writes one record, waiting for room: spins briefly, then sleeps until the consumer frees space.</summary>
    /// <param name="type">The record's type, 1 or more.</param>
    /// <param name="payload">The payload, at most <see cref="MaxPayloadLength"/> bytes.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False if the time ran out before there was room.</returns>
    /// <exception cref="ArgumentException">The type is below 1, or the payload is longer than <see cref="MaxPayloadLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool Write(int type, ReadOnlySpan<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        CheckRecord(type, payload.Length);
        return WriteWaiting(type, payload, Deadline.After(timeout), stopWaiting: null, cancellationToken);
    }

    /// <summary>
    /// Claims space for a record of <paramref name="length"/> payload bytes, waiting for room
    /// as <see cref="Write"/> does; then write the payload in place and commit.
    /// </summary>
    /// <param name="type">The record's type, 1 or more.</param>
    /// <param name="length">Payload bytes, 0 to <see cref="MaxPayloadLength"/>.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="claim">The claimed space when true is returned; commit or abort it exactly once.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>False if the time ran out before there was room.</returns>
    /// <exception cref="ArgumentException">The type is below 1, or the length is negative or above <see cref="MaxPayloadLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public bool Claim(int type, int length, TimeSpan timeout, out RingClaim claim, CancellationToken cancellationToken = default)
    {
        CheckRecord(type, length);
        Deadline deadline = Deadline.After(timeout);
        int alignedLength = RingRecord.Align(length + RingRecord.HeaderLength);
        SpinWait spinner = default;
        while (!TryClaim(type, length, out claim))
        {
            if (!AwaitSpace(alignedLength, ref spinner, deadline, stopWaiting: null, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The writing loop behind <see cref="Write"/>; <paramref name="stopWaiting"/> ends a wait early (a closed queue).</summary>
    internal bool WriteWaiting(int type, ReadOnlySpan<byte> payload, Deadline deadline, Func<bool>? stopWaiting, CancellationToken cancellationToken)
    {
        int alignedLength = RingRecord.Align(payload.Length + RingRecord.HeaderLength);
        SpinWait spinner = default;
        while (!TryWrite(type, payload))
        {
            if (!AwaitSpace(alignedLength, ref spinner, deadline, stopWaiting, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the records published now, in order, up to <paramref name="maxRecords"/>; never blocks.</summary>
    /// <param name="handler">Called for each record, with the payload in place.</param>
    /// <param name="maxRecords">At most this many records (1 or more).</param>
    /// <returns>How many records were handed to <paramref name="handler"/>; 0 if none was ready.</returns>
    /// <remarks>
    /// The head moves once per contiguous run of records, not once per record. If
    /// <paramref name="handler"/> throws, the record it was given counts as read.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRecords"/> is below 1.</exception>
    /// <exception cref="InvalidDataException">A record header is corrupted (a length that does not fit), or the head and tail positions contradict each other.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">Waking a sleeping producer failed.</exception>
    public int TryRead(RingRecordHandler handler, int maxRecords = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        ThrowIfDisposed();

        // Records never straddle the end of the buffer, so a pass reads one contiguous run;
        // a pass that reached the end (often over padding) is followed by one from index 0.
        int records = ReadContiguous(handler, maxRecords, out bool reachedEnd);
        if (reachedEnd && records < maxRecords)
        {
            records += ReadContiguous(handler, maxRecords - records, out _);
        }

        return records;
    }

    /// <summary>
    /// Reads at least one record, waiting for one: spins briefly, then sleeps until a
    /// producer publishes. Then reads what is ready, up to <paramref name="maxRecords"/>.
    /// </summary>
    /// <param name="handler">Called for each record, with the payload in place.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <param name="maxRecords">At most this many records (1 or more).</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>How many records were read; 0 if the time ran out first.</returns>
    /// <exception cref="InvalidDataException">A record header is corrupted (a length that does not fit), or the head and tail positions contradict each other.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite, or <paramref name="maxRecords"/> is below 1.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="PosixException">A futex call failed.</exception>
    public int Read(RingRecordHandler handler, TimeSpan timeout, int maxRecords = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        return ReadWaiting(handler, Deadline.After(timeout), maxRecords, stopWaiting: null, cancellationToken);
    }

    /// <summary>
    /// Frees the consumer from a record that a producer claimed and never published, because
    /// it died or hangs: the record (and any unwritten claim before the next record) becomes
    /// padding. Call it only after waiting far longer than any live producer takes between
    /// claim and commit (a live producer that publishes afterwards corrupts the ring).
    /// </summary>
    /// <returns>True if a blocked record was turned into padding; false if nothing was blocked.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public bool Unblock()
    {
        ThrowIfDisposed();
        long head = Volatile.Read(ref *Head);
        long tail = Volatile.Read(ref *Tail);
        if (head == tail)
        {
            return false;
        }

        int consumerIndex = (int)(head & Mask);
        int producerIndex = (int)(tail & Mask);
        int* blocked = (int*)(Records + consumerIndex);
        int length = Volatile.Read(ref *blocked);
        if (length < 0)
        {
            // Claimed, partly written: its length is known.
            MakePadding(consumerIndex, -length);
            return true;
        }

        if (length > 0)
        {
            return false;
        }

        // Claimed (the tail moved past it) but not even marked: the claimer died between its
        // compare-and-swap and its first store. The gap ends at the next record header that
        // was written, or at the limit of what was claimed in this lap of the buffer.
        int limit = producerIndex > consumerIndex ? producerIndex : Capacity;
        int end = consumerIndex + RingRecord.Alignment;
        while (end < limit && Volatile.Read(ref *(int*)(Records + end)) == 0)
        {
            end += RingRecord.Alignment;
        }

        // A producer may have marked its record while we scanned: only pad a gap still empty.
        for (int index = end - RingRecord.Alignment; index >= consumerIndex; index -= RingRecord.Alignment)
        {
            if (Volatile.Read(ref *(int*)(Records + index)) != 0)
            {
                return false;
            }
        }

        MakePadding(consumerIndex, end - consumerIndex);
        return true;
    }

    /// <summary>The reading loop behind the blocking reads; <paramref name="stopWaiting"/> ends a wait early (a closed queue).</summary>
    internal int ReadWaiting(RingRecordHandler handler, Deadline deadline, int maxRecords, Func<bool>? stopWaiting, CancellationToken cancellationToken)
    {
        SpinWait spinner = default;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int records = TryRead(handler, maxRecords);
            if (records > 0)
            {
                return records;
            }

            if (stopWaiting?.Invoke() == true)
            {
                return TryRead(handler, maxRecords);
            }

            if (spinner.Count < _spinsBeforeSleep)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            uint signal = Volatile.Read(ref *_dataSignal);
            Interlocked.Exchange(ref *_consumerWaiting, 1);
            try
            {
                records = TryRead(handler, maxRecords);
                if (records > 0 || stopWaiting?.Invoke() == true)
                {
                    return records;
                }

                if (!FutexSleep.OnSequence(_dataSignal, signal, deadline, cancellationToken))
                {
                    return TryRead(handler, maxRecords);
                }
            }
            finally
            {
                Volatile.Write(ref *_consumerWaiting, 0);
            }
        }
    }

    /// <summary>
    /// The head position when the record there is claimed but not published (its length is
    /// 0 or negative while the tail has moved past it), else -1. A snapshot for the consumer.
    /// </summary>
    internal long BlockedHead()
    {
        long head = Volatile.Read(ref *Head);
        if (head == Volatile.Read(ref *Tail))
        {
            return -1;
        }

        return Volatile.Read(ref *(int*)(Records + (int)(head & Mask))) <= 0 ? head : -1;
    }

    /// <summary>Wakes a sleeping consumer and every sleeping producer whether or not anything changed (a queue was closed).</summary>
    internal void WakeAll()
    {
        FutexSleep.BumpAndWake((nint)_dataSignal);
        FutexSleep.BumpAndWake((nint)_spaceSignal);
    }

    /// <summary>Moves the tail over <paramref name="alignedLength"/> bytes (plus padding at the end of the buffer, written here).</summary>
    /// <returns>The record's index, or -1 when there is no room.</returns>
    private protected abstract int ClaimSpace(int alignedLength);

    /// <summary>Writes a complete padding record of <paramref name="length"/> bytes at <paramref name="index"/>.</summary>
    private protected void MakePadding(int index, int length)
    {
        byte* record = Records + index;
        *(int*)(record + RingRecord.TypeOffset) = RingRecord.PaddingType;
        Volatile.Write(ref *(int*)(record + RingRecord.LengthOffset), length);
    }

    /// <summary>
    /// How much room the claim of <paramref name="alignedLength"/> bytes at <paramref name="tail"/>
    /// takes: the record, plus padding to the end of the buffer when the record would not fit there.
    /// </summary>
    private protected int RequiredSpace(long tail, int alignedLength, out int padding)
    {
        int toEnd = Capacity - (int)(tail & Mask);
        padding = alignedLength > toEnd ? toEnd : 0;
        return alignedLength + padding;
    }

    /// <summary>Step 4 of the protocol, for <see cref="RingClaim"/>: publish (or abort) and wake a sleeping consumer.</summary>
    internal void Publish(int index, int recordLength, bool abort)
    {
        ThrowIfDisposed();
        int* lengthWord = (int*)(Records + index + RingRecord.LengthOffset);
        if (Volatile.Read(ref *lengthWord) != -recordLength)
        {
            throw new InvalidOperationException("This claim was already committed or aborted.");
        }

        if (abort)
        {
            *(int*)(Records + index + RingRecord.TypeOffset) = RingRecord.PaddingType;
        }

        Volatile.Write(ref *lengthWord, recordLength);

        // Store-load fence: the consumer announces itself, then re-checks the records; we
        // publish, then check the announcement. One of the two sees the other.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref *_consumerWaiting) != 0)
        {
            FutexSleep.BumpAndWake((nint)_dataSignal);
        }
    }

    /// <summary>
    /// After a claim found no room: spins a little, then sleeps until the consumer frees
    /// space, the deadline passes or <paramref name="stopWaiting"/> says so.
    /// </summary>
    /// <returns>True to try the claim again; false to give up.</returns>
    private bool AwaitSpace(int alignedLength, ref SpinWait spinner, Deadline deadline, Func<bool>? stopWaiting, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (stopWaiting?.Invoke() == true)
        {
            return false;
        }

        if (spinner.Count < _spinsBeforeSleep)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            return true;
        }

        // Read the signal before announcing ourselves: a wake-up between here and the futex
        // call changes it, and the futex call then returns at once. After announcing, look
        // again: space freed before the consumer could see us would otherwise be missed.
        uint signal = Volatile.Read(ref *_spaceSignal);
        Interlocked.Increment(ref *_producersWaiting);
        try
        {
            if (HasRoomFor(alignedLength))
            {
                return true;
            }

            return FutexSleep.OnSequence(_spaceSignal, signal, deadline, cancellationToken) || HasRoomFor(alignedLength);
        }
        finally
        {
            Interlocked.Decrement(ref *_producersWaiting);
        }
    }

    /// <summary>Whether a claim of <paramref name="alignedLength"/> bytes would fit now (a snapshot).</summary>
    private bool HasRoomFor(int alignedLength)
    {
        long head = Volatile.Read(ref *Head);
        long tail = Volatile.Read(ref *Tail);
        return RequiredSpace(tail, alignedLength, out _) <= Capacity - (tail - head);
    }

    private static RingBuffer Open(SharedMemoryRegion region, byte* start, int capacity, RingBufferProducers producers) =>
        producers == RingBufferProducers.One
            ? new SingleProducerRingBuffer(region, start, capacity)
            : new MultiProducerRingBuffer(region, start, capacity);

    private static bool IsValidCapacity(int capacity) =>
        capacity is >= RingBufferLayout.MinimumCapacity and <= RingBufferLayout.MaximumCapacity && BitOperations.IsPow2(capacity);

    private static void CheckCapacity(int capacity, string parameterName)
    {
        if (!IsValidCapacity(capacity))
        {
            throw new ArgumentException(
                $"A ring's capacity must be a power of two from {RingBufferLayout.MinimumCapacity} to {RingBufferLayout.MaximumCapacity}; got {capacity} (nearest power of two above: {(capacity > 0 && capacity <= RingBufferLayout.MaximumCapacity ? BitOperations.RoundUpToPowerOf2((uint)capacity) : RingBufferLayout.MinimumCapacity)}).",
                parameterName);
        }
    }

    private int ReadContiguous(RingRecordHandler handler, int maxRecords, out bool reachedEnd)
    {
        long head = *Head;
        long tail = Volatile.Read(ref *Tail);
        if (head < 0 || head > tail || tail - head > Capacity)
        {
            // Nothing is consumed: every later read reports the same damage.
            throw new InvalidDataException($"The ring's head ({head}) and tail ({tail}) are inconsistent: the tail must be at most {Capacity} bytes (one lap) ahead of the head, never behind it. The ring is corrupted.");
        }

        int headIndex = (int)(head & Mask);
        int contiguous = Capacity - headIndex;

        // Only what was claimed before the tail was read: bytes past it were never a record.
        // A record claimed since is read on the next pass (its publish changes the data signal).
        int claimed = (int)Math.Min(contiguous, tail - head);
        int bytesRead = 0;
        int records = 0;
        try
        {
            while (bytesRead < claimed && records < maxRecords)
            {
                byte* record = Records + headIndex + bytesRead;
                int length = Volatile.Read(ref *(int*)(record + RingRecord.LengthOffset));
                if (length <= 0)
                {
                    break;
                }

                if (length < RingRecord.HeaderLength || RingRecord.Align(length) > contiguous - bytesRead)
                {
                    // Left unconsumed: every later read reports the same damage.
                    throw new InvalidDataException($"The ring's record at index {headIndex + bytesRead} has length {length}: a record takes {RingRecord.HeaderLength}..{contiguous - bytesRead} bytes there. The ring is corrupted.");
                }

                bytesRead += RingRecord.Align(length);
                int type = *(int*)(record + RingRecord.TypeOffset);
                if (type == RingRecord.PaddingType)
                {
                    continue;
                }

                records++;
                handler(type, new ReadOnlySpan<byte>(record + RingRecord.HeaderLength, length - RingRecord.HeaderLength));
            }
        }
        finally
        {
            if (bytesRead > 0)
            {
                Consume(head, headIndex, bytesRead);
            }
        }

        reachedEnd = bytesRead == contiguous;
        return records;
    }

    private static void ClearRecords(byte* records, int capacity)
    {
        for (int offset = 0; offset < capacity; offset += int.MaxValue / 2)
        {
            new Span<byte>(records + offset, Math.Min(capacity - offset, int.MaxValue / 2)).Clear();
        }
    }

    private void CheckRecord(int type, int length, [CallerArgumentExpression(nameof(length))] string? lengthName = null)
    {
        ThrowIfDisposed();
        if (type < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Record types are 1 or more; negative types are reserved for the ring (padding is -1).");
        }

        if ((uint)length > (uint)MaxPayloadLength)
        {
            throw new ArgumentException($"A record of {length} payload bytes does not fit: this ring of capacity {Capacity} takes at most {MaxPayloadLength} bytes per record.", lengthName);
        }
    }

    private void Consume(long head, int headIndex, int bytesRead)
    {
        // Zero what was read, so that a later claim there starts from length 0, then free it.
        new Span<byte>(Records + headIndex, bytesRead).Clear();
        Volatile.Write(ref *Head, head + bytesRead);

        // Store-load fence, as in Publish, against producers that announce they sleep.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref *_producersWaiting) > 0)
        {
            FutexSleep.BumpAndWake((nint)_spaceSignal);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
}
