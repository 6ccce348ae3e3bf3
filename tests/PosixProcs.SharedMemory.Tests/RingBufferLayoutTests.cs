using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

public class RingBufferLayoutTests
{
    [Fact]
    public void Layout_HeadAndTail_OnSeparateCacheLines128Apart()
    {
        Assert.Equal(128, RingBufferLayout.HeadOffset - RingBufferLayout.TailOffset);
        Assert.True(RingBufferLayout.TailOffset >= 128);
        Assert.True(RingBufferLayout.ConsumerWaitingOffset - RingBufferLayout.HeadOffset >= 128);
        Assert.True(RingBufferLayout.HeaderLength - RingBufferLayout.SpaceSignalOffset >= 4);
        Assert.Equal("PPRING\0\u0001", System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(RingBufferLayout.Magic)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(-64)]
    [InlineData(int.MaxValue)]
    public void Create_CapacityNotAPowerOfTwoInRange_ThrowsWithTheNumbers(int capacity)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        var ex = Assert.Throws<ArgumentException>(() => RingBuffer.Create(region, capacity, RingBufferProducers.One));
        Assert.Contains($"got {capacity}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("power of two from 64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BadPlacement_Throws()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBuffer.Create(region, 4096, RingBufferProducers.One));
        Assert.Throws<ArgumentException>(() => RingBuffer.Create(region, 64, RingBufferProducers.One, offset: 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBuffer.Create(region, 64, (RingBufferProducers)3));
        Assert.Throws<ArgumentNullException>(() => RingBuffer.Create(null!, 64, RingBufferProducers.One));
    }

    [Fact]
    public void Attach_ZeroedMemory_ThrowsNamingTheMagic()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        var ex = Assert.Throws<InvalidDataException>(() => RingBuffer.Attach(region));
        Assert.Contains("magic number is 0x0000000000000000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attach_ForeignData_Throws()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        "some other program's data"u8.CopyTo(region.Span);
        Assert.Throws<InvalidDataException>(() => RingBuffer.Attach(region));
    }

    [Theory]
    [InlineData(RingBufferLayout.VersionOffset, 2, "layout version 2")]
    [InlineData(RingBufferLayout.CapacityOffset, 100, "capacity 100")]
    [InlineData(RingBufferLayout.CapacityOffset, 1 << 20, "needs 1049088 bytes")]
    [InlineData(RingBufferLayout.ProducersOffset, 7, "producer mode 7")]
    public void Attach_CorruptedHeaderField_ThrowsNamingIt(int offset, int value, string expected)
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        RingBuffer.Create(region, 1024, RingBufferProducers.Many);
        new SharedValue<int>(region, offset).Value = value;
        var ex = Assert.Throws<InvalidDataException>(() => RingBuffer.Attach(region));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredLength_PowerOfTwo_HeaderPlusCapacity()
    {
        Assert.Equal(512 + 4096, RingBuffer.RequiredLength(4096));
        Assert.Throws<ArgumentException>(() => RingBuffer.RequiredLength(4095));
    }

    [Theory]
    [InlineData(1_000_000)] // runs past the end of the buffer
    [InlineData(3)]         // shorter than a record header: a truncated frame
    public void TryRead_CorruptedRecordLength_ThrowsInvalidDataAndKeepsThrowing(int length)
    {
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(1024));
        RingBuffer ring = RingBuffer.Create(region, 1024, RingBufferProducers.One);
        Assert.True(ring.TryWrite(7, [1, 2, 3, 4]));
        var recordLength = new SharedValue<int>(region, RingBufferLayout.HeaderLength + RingRecord.LengthOffset);
        recordLength.Value = length;
        int handled = 0;
        var ex = Assert.Throws<InvalidDataException>(() => ring.TryRead((_, _) => handled++));
        Assert.Contains($"length {length}", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ring.TryRead((_, _) => handled++));
        Assert.Equal(0, handled);
    }

    [Theory]
    [InlineData(1L << 20, 16L)]  // head ahead of the tail
    [InlineData(0L, 3L * 1024)]  // tail a lap (and more) beyond the head
    [InlineData(-64L, 16L)]      // a head before the start
    public void TryRead_HeadAndTailInconsistent_ThrowsInvalidDataAndReadsNothing(long head, long tail)
    {
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(1024));
        RingBuffer ring = RingBuffer.Create(region, 1024, RingBufferProducers.One);
        Assert.True(ring.TryWrite(7, [1, 2, 3, 4]));
        new SharedValue<long>(region, RingBufferLayout.HeadOffset).Value = head;
        new SharedValue<long>(region, RingBufferLayout.TailOffset).Value = tail;
        int handled = 0;

        var ex = Assert.Throws<InvalidDataException>(() => ring.TryRead((_, _) => handled++));

        Assert.Contains("head", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => ring.TryRead((_, _) => handled++));
        Assert.Equal(0, handled);
    }
}
