using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedValueTests
{
    private struct Point
    {
        public int X;
        public int Y;
        public int Z;
    }

    [Fact]
    public void Value_TwoViewsOfTheSameOffset_SeeEachOthersWrites()
    {
        using var region = SharedMemoryRegion.Create(64);
        var a = new SharedValue<Point>(region, 12);
        var b = new SharedValue<Point>(region, 12);
        a.Value = new Point { X = 1, Y = 2, Z = 3 };
        Assert.Equal(3, b.Value.Z);
        Assert.Equal(12, a.Size);
    }

    [Fact]
    public void Add_ExchangeAndCompareExchangeOnInt_BehaveAsInterlocked()
    {
        using var region = SharedMemoryRegion.Create(64);
        var value = new SharedValue<int>(region, 4);
        Assert.Equal(5, value.Add(5));
        Assert.Equal(5, value.Exchange(9));
        Assert.Equal(9, value.CompareExchange(1, 8));
        Assert.Equal(9, value.Read());
        Assert.Equal(9, value.CompareExchange(1, 9));
        Assert.Equal(1, value.Value);
    }

    [Fact]
    public void Add_ULongArrayElement_WrapsAndTouchesOnlyThatElement()
    {
        using var region = SharedMemoryRegion.Create(64);
        var array = new SharedArray<ulong>(region, 4, 16);
        Assert.Equal(ulong.MaxValue, array.Add(2, ulong.MaxValue));
        Assert.Equal(0UL, array.Add(2, 1));
        Assert.Equal(0UL, array.Exchange(1, 3));
        Assert.Equal(3UL, array.CompareExchange(1, 4, 3));
        Assert.Equal([0UL, 4UL, 0UL, 0UL], array.AsSpan().ToArray());
    }

    [Fact]
    public void Constructor_MisalignedOrOutside_Throws()
    {
        using var region = SharedMemoryRegion.Create(64);
        Assert.Throws<ArgumentException>(() => new SharedValue<long>(region, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedValue<long>(region, Posix.PageSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedValue<long>(region, -8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedArray<int>(region, Posix.PageSize, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedArray<int>(region, -1));
        var array = new SharedArray<int>(region, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => array[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Add(-1, 1));
    }

    [Fact]
    public void ArrayAdd_TwoProcessesMillionIncrementsEach_ExactTotal()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.AtomicAddFromTwoProcesses), "1000000");
        Assert.Equal("exited with code 0", values["child0"]);
        Assert.Equal("exited with code 0", values["child1"]);
        Assert.Equal("2000000", values["total"]);
        Assert.Equal("2000000", values["total64"]);
    }
}
