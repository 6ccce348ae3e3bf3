using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

public class SharedMemoryRegionTests
{
    [Theory]
    [InlineData(SharedMemoryBacking.Anonymous)]
    [InlineData(SharedMemoryBacking.Descriptor)]
    public void Create_AnyBacking_ZeroedAndWritable(SharedMemoryBacking backing)
    {
        using var region = SharedMemoryRegion.Create(3 * Posix.PageSize, new SharedMemoryOptions { Backing = backing, Populate = true });
        Assert.Equal(3 * Posix.PageSize, region.Length);
        Assert.Equal(backing, region.Backing);
        Assert.True(region.Span.IndexOfAnyExcept((byte)0) < 0);
        region.Span[^1] = 42;
        Assert.Equal(42, region.Slice(region.Length - 1, 1)[0]);
    }

    [Fact]
    public void Create_Populate_TouchingPagesCostsNoFaults()
    {
        const int Pages = 128;
        using var region = SharedMemoryRegion.Create((long)Pages * Posix.PageSize, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor, Populate = true });
        long before = Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults;
        for (int page = 0; page < Pages; page++)
        {
            region.Span[page * Posix.PageSize] = 1;
        }

        Assert.InRange(Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults - before, 0, 16);
    }

    [Fact]
    public void Create_HugePages_SucceedsWhereTheKernelHasThemElseThrowsPosixException()
    {
        var options = new SharedMemoryOptions { HugePages = true };
        if (!File.Exists("/sys/kernel/mm/transparent_hugepage/enabled"))
        {
            Assert.Throws<PosixException>(() => SharedMemoryRegion.Create(4 << 20, options));
            return;
        }

        using var region = SharedMemoryRegion.Create(4 << 20, options);
        region.Span[0] = 1;
        Assert.Equal(1, region.Span[0]);
    }

    [Fact]
    public void Create_Anonymous_HasNoDescriptor()
    {
        using var region = SharedMemoryRegion.Create(100);
        Assert.Null(region.Descriptor);
    }

    [Fact]
    public void Attach_DescriptorOfAnotherRegion_SeesTheSameMemory()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
        FileDescriptorHandle descriptor = region.Descriptor!;
        Assert.True(descriptor.CloseOnExec);

        // A second owner of the same descriptor number would close it twice: attach through a handle that does not own it.
        using var view = SharedMemoryRegion.Attach(new FileDescriptorHandle(descriptor.Number, ownsHandle: false), Posix.PageSize);
        region.Span[10] = 7;
        Assert.Equal(7, view.Span[10]);
        view.Span[11] = 8;
        Assert.Equal(8, region.Span[11]);
    }

    [Fact]
    public void Dispose_ThenAccess_ThrowsObjectDisposed()
    {
        var region = SharedMemoryRegion.Create(100);
        var value = new SharedValue<long>(region);
        region.Dispose();
        Assert.True(region.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => region.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => value.Value);
    }

    [Fact]
    public void Create_BadArguments_ThrowBeforeAnySyscall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemoryRegion.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemoryRegion.Create(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharedMemoryOptions { Backing = (SharedMemoryBacking)9 });
        Assert.Throws<ArgumentNullException>(() => SharedMemoryRegion.Attach(null!, 10));
        using var closed = new FileDescriptorHandle(0, ownsHandle: false);
        closed.SetHandleAsInvalid();
        Assert.Throws<ArgumentException>(() => SharedMemoryRegion.Attach(closed, 10));
    }

    [Fact]
    public void Attach_DescriptorThatIsNotMappable_ThrowsPosixException()
    {
        using PipeEnds pipe = Posix.Pipe();
        var ex = Assert.Throws<PosixException>(() => SharedMemoryRegion.Attach(new FileDescriptorHandle(pipe.Read.Number, ownsHandle: false), Posix.PageSize));
        Assert.Contains("mmap", ex.Message, StringComparison.Ordinal);
    }
}
