using System.Buffers.Binary;
using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

/// <summary>The contract both ring variants keep, tested once for each (in one process; see RingBufferProcessTests for several).</summary>
public abstract class RingBufferContractTests : IDisposable
{
    private const int Capacity = 256;
    private readonly SharedMemoryRegion _region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity));

    protected RingBufferContractTests() => Ring = RingBuffer.Create(_region, Capacity, Producers);

    protected abstract RingBufferProducers Producers { get; }

    private RingBuffer Ring { get; }

    public void Dispose()
    {
        _region.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Create_Fresh_EmptyWithExpectedShape()
    {
        Assert.Equal(Producers, Ring.Producers);
        Assert.Equal(Capacity, Ring.Capacity);
        Assert.Equal((Capacity / 8) - 8, Ring.MaxPayloadLength);
        Assert.Equal(0, Ring.Size);
        Assert.Equal(0, Ring.TryRead((_, _) => Assert.Fail("no record expected")));
    }

    [Fact]
    public void TryWrite_EverySizeFrom1To2AlignmentsPlus1_WrapsAndReadsBackIntact()
    {
        // Several laps of the buffer per size, so every size crosses the end at several
        // offsets, and the reader is one record behind so the ring is never trivially empty.
        var expected = new Queue<byte[]>();
        int sequence = 0;
        void Check(int type, ReadOnlySpan<byte> payload)
        {
            byte[] next = expected.Dequeue();
            Assert.Equal(next.Length, type);
            Assert.Equal(next, payload.ToArray());
        }

        for (int size = 1; size <= (2 * 8) + 1; size++)
        {
            int records = (4 * Capacity / (8 + size)) + 3;
            for (int i = 0; i < records; i++)
            {
                byte[] payload = Enumerable.Range(0, size).Select(b => (byte)(sequence + b)).ToArray();
                sequence++;
                Assert.True(Ring.TryWrite(size, payload));
                expected.Enqueue(payload);
                if (expected.Count > 1)
                {
                    Assert.Equal(1, Ring.TryRead(Check, maxRecords: 1));
                }
            }

            while (expected.Count > 0)
            {
                Assert.Equal(1, Ring.TryRead(Check, maxRecords: 1));
            }
        }

        Assert.Equal(0, Ring.Size);
    }

    [Fact]
    public void TryWrite_UntilFull_ReturnsFalseThenEveryRecordReadsBack()
    {
        int written = 0;
        Span<byte> payload = stackalloc byte[8];
        while (true)
        {
            BinaryPrimitives.WriteInt64LittleEndian(payload, written);
            if (!Ring.TryWrite(1, payload))
            {
                break;
            }

            written++;
        }

        // 16 bytes per record (8 header + 8 payload) fill the buffer exactly.
        Assert.Equal(Capacity / 16, written);
        Assert.Equal(Capacity, Ring.Size);
        Assert.False(Ring.TryWrite(1, ReadOnlySpan<byte>.Empty));

        long next = 0;
        int read = Ring.TryRead((_, p) => Assert.Equal(next++, BinaryPrimitives.ReadInt64LittleEndian(p)));
        Assert.Equal(written, read);
        Assert.Equal(0, Ring.TryRead((_, _) => Assert.Fail("ring should be empty")));
        Assert.True(Ring.TryWrite(1, payload));
    }

    [Fact]
    public void TryWrite_RecordDoesNotFitBeforeEnd_PadsAndStillFailsWhenHeadBlocksTheStart()
    {
        // Fill to 240 of 256 bytes, free the first 16 only: a 24-byte record would need
        // 16 bytes of padding at the end plus 24 at the start, more than the 32 free.
        for (int i = 0; i < 15; i++)
        {
            Assert.True(Ring.TryWrite(1, new byte[8]));
        }

        Assert.Equal(1, Ring.TryRead((_, _) => { }, maxRecords: 1));
        Assert.False(Ring.TryWrite(2, new byte[16]));
        Assert.True(Ring.TryWrite(2, new byte[8]));
        Assert.Equal(15, Ring.TryRead((_, _) => { }));
        Assert.True(Ring.TryWrite(2, new byte[16]));
    }

    [Fact]
    public void TryRead_MaxRecords_ReadsInOrderedBatches()
    {
        for (byte i = 0; i < 10; i++)
        {
            Assert.True(Ring.TryWrite(1, [i]));
        }

        var seen = new List<byte>();
        Assert.Equal(4, Ring.TryRead((_, p) => seen.Add(p[0]), maxRecords: 4));
        Assert.Equal(6, Ring.TryRead((_, p) => seen.Add(p[0])));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), seen);
    }

    [Fact]
    public void TryRead_HandlerThrows_RecordCountsAsRead()
    {
        Assert.True(Ring.TryWrite(1, [1]));
        Assert.True(Ring.TryWrite(1, [2]));
        Assert.Throws<InvalidOperationException>(() => Ring.TryRead((_, p) => throw new InvalidOperationException(p[0].ToString(System.Globalization.CultureInfo.InvariantCulture))));
        byte next = 0;
        Assert.Equal(1, Ring.TryRead((_, p) => next = p[0]));
        Assert.Equal(2, next);
    }

    [Fact]
    public void TryClaim_CommitAndAbort_OnlyCommittedRecordsAreRead()
    {
        Assert.True(Ring.TryClaim(3, 4, out RingClaim first));
        "abcd"u8.CopyTo(first.Span);
        Assert.True(Ring.TryClaim(4, 2, out RingClaim second));
        Assert.Equal(0, Ring.TryRead((_, _) => { }));
        first.Commit();
        second.Abort();
        Assert.Throws<InvalidOperationException>(() => CommitAgain(Ring));

        var seen = new List<string>();
        Assert.Equal(2, Ring.TryRead((t, p) => seen.Add($"{t}:{Convert.ToHexString(p)}")));
        Assert.Equal(["3:61626364", "1:00"], seen);
        Assert.Equal(0, Ring.Size);

        static void CommitAgain(RingBuffer ring)
        {
            Assert.True(ring.TryClaim(1, 1, out RingClaim claim));
            claim.Commit();
            claim.Commit();
        }
    }

    [Fact]
    public void TryClaim_Failed_ClaimIsEmpty()
    {
        while (Ring.TryWrite(1, new byte[24]))
        {
        }

        Assert.False(Ring.TryClaim(1, 24, out RingClaim claim));
        Assert.Equal(0, claim.Span.Length);
        Assert.Throws<InvalidOperationException>(() => CommitEmpty());

        static void CommitEmpty()
        {
            RingClaim empty = default;
            empty.Commit();
        }
    }

    [Fact]
    public void TryWrite_BadRecords_ThrowArgumentExceptionNamingTheLimit()
    {
        var tooLong = Assert.Throws<ArgumentException>(() => Ring.TryWrite(1, new byte[Ring.MaxPayloadLength + 1]));
        Assert.Contains($"{Ring.MaxPayloadLength + 1} payload bytes", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains($"at most {Ring.MaxPayloadLength}", tooLong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Ring.Write(1, new byte[Ring.MaxPayloadLength + 1], TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => Ring.TryClaim(1, -1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ring.TryWrite(0, [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ring.TryWrite(RingRecord.PaddingType, [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ring.Read((_, _) => { }, TimeSpan.FromSeconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ring.TryRead((_, _) => { }, maxRecords: 0));
        Assert.True(Ring.TryWrite(1, new byte[Ring.MaxPayloadLength]));
    }

    [Fact]
    public void Read_EmptyUntilTimeout_ReturnsZero()
    {
        Assert.Equal(0, Ring.Read((_, _) => Assert.Fail("no record expected"), TimeSpan.FromMilliseconds(30)));
    }

    [Fact]
    public void Write_FullUntilTimeout_ReturnsFalse()
    {
        while (Ring.TryWrite(1, new byte[8]))
        {
        }

        Assert.False(Ring.Write(1, new byte[8], TimeSpan.FromMilliseconds(30)));
        Assert.Equal(Capacity, Ring.Size);
    }

    [Fact]
    public void Read_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.ThrowsAny<OperationCanceledException>(() => Ring.Read((_, _) => { }, TimeSpan.FromSeconds(60), cancellationToken: cancellation.Token));
    }

    [Fact]
    public void Write_FullAndCancelled_ThrowsOperationCanceled()
    {
        while (Ring.TryWrite(1, new byte[8]))
        {
        }

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        Assert.ThrowsAny<OperationCanceledException>(() => Ring.Write(1, new byte[8], TimeSpan.FromSeconds(60), cancellation.Token));
    }

    [Fact]
    public async Task Read_SleepingReader_WokenByWriterOnAnotherThread()
    {
        int received = 0;
        Task<int> reader = Task.Run(() => Ring.Read((t, _) => received = t, TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        Assert.True(Ring.TryWrite(9, [1]));
        Assert.Equal(1, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(9, received);
    }

    [Fact]
    public async Task Read_NoSpinningAtAll_SleepsAndIsWoken()
    {
        Ring.SpinsBeforeSleep = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => Ring.SpinsBeforeSleep = -1);
        Task<int> reader = Task.Run(() => Ring.Read((_, _) => { }, TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        Assert.True(Ring.TryWrite(1, [1]));
        Assert.Equal(1, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(RingBuffer.DefaultSpinsBeforeSleep, RingBuffer.Attach(_region).SpinsBeforeSleep);
    }

    [Fact]
    public async Task Write_SleepingWriter_WokenWhenReaderFreesSpace()
    {
        while (Ring.TryWrite(1, new byte[8]))
        {
        }

        Task<bool> writer = Task.Run(() => Ring.Write(2, new byte[8], TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        Assert.Equal(1, Ring.TryRead((_, _) => { }, maxRecords: 1));
        Assert.True(await writer.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Claim_FullUntilTimeout_ReturnsFalseWithEmptyClaim()
    {
        while (Ring.TryWrite(1, new byte[8]))
        {
        }

        Assert.False(Ring.Claim(1, 8, TimeSpan.FromMilliseconds(30), out RingClaim claim));
        Assert.Equal(0, claim.Span.Length);
    }

    [Fact]
    public async Task Claim_SleepingClaimer_WokenWhenReaderFreesSpace()
    {
        while (Ring.TryWrite(1, new byte[8]))
        {
        }

        Task<bool> claimer = Task.Run(() =>
        {
            if (!Ring.Claim(2, 8, TimeSpan.FromSeconds(30), out RingClaim claim))
            {
                return false;
            }

            claim.Span.Fill(0xAB);
            claim.Commit();
            return true;
        });
        await Task.Delay(50);
        Assert.Equal(1, Ring.TryRead((_, _) => { }, maxRecords: 1));
        Assert.True(await claimer.WaitAsync(TimeSpan.FromSeconds(30)));
        var last = new List<int>();
        Ring.TryRead((t, p) => last.Add(t == 2 && p.IndexOfAnyExcept((byte)0xAB) < 0 ? 2 : t));
        Assert.Equal(2, last[^1]);
    }

    [Fact]
    public async Task TryWrite_NobodyAsleep_NoWakeUpIsSent()
    {
        // The signal words count wake-ups: they move only when a sleeper had announced itself.
        for (int i = 0; i < 100; i++)
        {
            Assert.True(Ring.TryWrite(1, [1]));
            Assert.Equal(1, Ring.TryRead((_, _) => { }));
        }

        Assert.Equal(0u, Signal(RingBufferLayout.DataSignalOffset));
        Assert.Equal(0u, Signal(RingBufferLayout.SpaceSignalOffset));

        Task<int> reader = Task.Run(() => Ring.Read((_, _) => { }, TimeSpan.FromSeconds(30)));
        while (new SharedValue<int>(_region, RingBufferLayout.ConsumerWaitingOffset).Read() == 0 && !reader.IsCompleted)
        {
            await Task.Delay(5);
        }

        Assert.True(Ring.TryWrite(1, [1]));
        Assert.Equal(1, await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1u, Signal(RingBufferLayout.DataSignalOffset));
    }

    [Fact]
    public void Unblock_ClaimNeverCommitted_LaterRecordsDelivered()
    {
        Assert.True(Ring.TryClaim(1, 20, out _));
        Assert.True(Ring.TryWrite(2, [2]));
        Assert.Equal(0, Ring.TryRead((_, _) => { }));
        Assert.True(Ring.Unblock());
        int type = 0;
        Assert.Equal(1, Ring.TryRead((t, _) => type = t));
        Assert.Equal(2, type);
        Assert.False(Ring.Unblock());
    }

    [Fact]
    public void Unblock_TailMovedButHeaderNeverWritten_PadsTheGap()
    {
        // What a producer leaves when it dies between moving the tail and marking its record.
        Interlocked.Add(ref Tail(), 24);
        Assert.True(Ring.TryWrite(2, [2]));
        Assert.Equal(0, Ring.TryRead((_, _) => { }));
        Assert.True(Ring.Unblock());
        int type = 0;
        Assert.Equal(1, Ring.TryRead((t, _) => type = t));
        Assert.Equal(2, type);

        // And when nothing follows the dead claim: the gap runs to the tail.
        Interlocked.Add(ref Tail(), 16);
        Assert.True(Ring.Unblock());
        Assert.Equal(0, Ring.TryRead((_, _) => { }));
        Assert.Equal(0, Ring.Size);
        Assert.True(Ring.TryWrite(3, [3]));
        Assert.Equal(1, Ring.TryRead((_, _) => { }));
    }

    [Fact]
    public void Unblock_NothingBlocked_ReturnsFalse()
    {
        Assert.False(Ring.Unblock());
        Assert.True(Ring.TryWrite(1, [1]));
        Assert.False(Ring.Unblock());
        Assert.Equal(1, Ring.TryRead((_, _) => { }));
    }

    [Fact]
    public void Attach_SameMemory_SameVariantSharesRecords()
    {
        RingBuffer attached = RingBuffer.Attach(_region);
        Assert.Equal(Producers, attached.Producers);
        Assert.Equal(Capacity, attached.Capacity);
        Assert.True(attached.TryWrite(5, [5]));
        Assert.Equal(1, Ring.TryRead((t, _) => Assert.Equal(5, t)));
    }

    private uint Signal(int offset) => new SharedValue<uint>(_region, offset).Read();

    private ref long Tail() => ref new SharedValue<long>(_region, RingBufferLayout.TailOffset).Reference;
}

public sealed class SingleProducerRingBufferTests : RingBufferContractTests
{
    protected override RingBufferProducers Producers => RingBufferProducers.One;
}

public sealed class MultiProducerRingBufferTests : RingBufferContractTests
{
    protected override RingBufferProducers Producers => RingBufferProducers.Many;
}
