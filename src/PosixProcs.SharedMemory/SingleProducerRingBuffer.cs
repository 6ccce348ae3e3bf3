namespace PosixProcs.SharedMemory;

/// <summary>The one-producer ring (Agrona's OneToOne): the producer owns the tail, so a claim is a plain release store.</summary>
internal sealed unsafe class SingleProducerRingBuffer : RingBuffer
{
    /// <summary>The head as last read: the producer only reads the consumer's line when this says the ring is full.</summary>
    private long _headCache;

    public SingleProducerRingBuffer(SharedMemoryRegion region, byte* start, int capacity)
        : base(region, start, capacity)
    {
        _headCache = Volatile.Read(ref *Head);
    }

    public override RingBufferProducers Producers => RingBufferProducers.One;

    private protected override int ClaimSpace(int alignedLength)
    {
        long tail = *Tail;
        int required = RequiredSpace(tail, alignedLength, out int padding);
        if (required > Capacity - (tail - _headCache))
        {
            _headCache = Volatile.Read(ref *Head);
            if (required > Capacity - (tail - _headCache))
            {
                return -1;
            }
        }

        int index = (int)(tail & Mask);
        if (padding != 0)
        {
            MakePadding(index, padding);
            index = 0;
        }

        Volatile.Write(ref *Tail, tail + required);
        return index;
    }
}
