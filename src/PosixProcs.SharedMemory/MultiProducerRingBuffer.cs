namespace PosixProcs.SharedMemory;

/// <summary>The many-producer ring (Agrona's ManyToOne): producers claim by compare-and-swap on the tail.</summary>
internal sealed unsafe class MultiProducerRingBuffer : RingBuffer
{
    /// <summary>The head as last read by this producer instance; other instances keep their own.</summary>
    private long _headCache;

    public MultiProducerRingBuffer(SharedMemoryRegion region, byte* start, int capacity)
        : base(region, start, capacity)
    {
        _headCache = Volatile.Read(ref *Head);
    }

    public override RingBufferProducers Producers => RingBufferProducers.Many;

    private protected override int ClaimSpace(int alignedLength)
    {
        long head = Volatile.Read(ref _headCache);
        long tail;
        int required;
        int padding;
        do
        {
            tail = Volatile.Read(ref *Tail);
            required = RequiredSpace(tail, alignedLength, out padding);
            if (required > Capacity - (tail - head))
            {
                head = Volatile.Read(ref *Head);
                if (required > Capacity - (tail - head))
                {
                    return -1;
                }

                Volatile.Write(ref _headCache, head);
            }
        }
        while (Interlocked.CompareExchange(ref *Tail, tail + required, tail) != tail);

        // The space is ours; until its length word is written the consumer sees 0 there and waits.
        int index = (int)(tail & Mask);
        if (padding != 0)
        {
            MakePadding(index, padding);
            index = 0;
        }

        return index;
    }
}
