namespace PosixProcs.SharedMemory;

/// <summary>
/// Space claimed in a <see cref="RingBuffer"/> by <see cref="RingBuffer.TryClaim"/>: write
/// the payload straight into <see cref="Span"/>, then <see cref="Commit"/> it (or
/// <see cref="Abort"/>), exactly once. Until then the consumer waits at this record, so keep
/// the time between claim and commit short.
/// </summary>
public readonly ref struct RingClaim
{
    private readonly RingBuffer _ring;
    private readonly int _index;
    private readonly int _recordLength;

    internal RingClaim(RingBuffer ring, int index, int recordLength, Span<byte> span)
    {
        _ring = ring;
        _index = index;
        _recordLength = recordLength;
        Span = span;
    }

    /// <summary>The payload's bytes, in the ring's memory.</summary>
    public Span<byte> Span { get; }

    /// <summary>Publishes the record to the consumer (a release store of its length).</summary>
    /// <exception cref="InvalidOperationException">The claim is empty, or was already committed or aborted.</exception>
    /// <exception cref="PosixException">Waking the consumer failed.</exception>
    public void Commit() => Ring.Publish(_index, _recordLength, abort: false);

    /// <summary>Gives the space up: the record becomes padding that the consumer skips.</summary>
    /// <exception cref="InvalidOperationException">The claim is empty, or was already committed or aborted.</exception>
    /// <exception cref="PosixException">Waking the consumer failed.</exception>
    public void Abort() => Ring.Publish(_index, _recordLength, abort: true);

    private RingBuffer Ring => _ring ?? throw new InvalidOperationException("This claim is empty: TryClaim returned false.");
}
