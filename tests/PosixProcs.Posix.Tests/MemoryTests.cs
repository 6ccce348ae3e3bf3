using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

public class MemoryTests
{
    [Fact]
    public void GetResourceUsage_TouchingFreshPages_MinorFaultsGrowByPageCount()
    {
        const int Pages = 256;
        using MemoryMapping mapping = Posix.Map((long)Pages * Posix.PageSize, MappingSharing.Private);
        mapping.Advise(MemoryAdvice.NoHugePage);
        long before = Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults;
        for (int page = 0; page < Pages; page++)
        {
            mapping.Span[page * Posix.PageSize] = 1;
        }

        long faults = Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults - before;
        Assert.InRange(faults, Pages, Pages + 32);
    }

    [Fact]
    public void Map_Populate_TouchingPagesCostsNoFaults()
    {
        const int Pages = 256;
        using MemoryMapping mapping = Posix.Map((long)Pages * Posix.PageSize, MappingSharing.Shared, populate: true);
        long before = Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults;
        for (int page = 0; page < Pages; page++)
        {
            mapping.Span[page * Posix.PageSize] = 1;
        }

        long faults = Posix.GetResourceUsage(ResourceUsageTarget.Thread).MinorFaults - before;
        Assert.InRange(faults, 0, 32);
    }

    [Fact]
    public void CreateSharedMemory_MappedTwice_BothViewsSeeWrites()
    {
        using FileDescriptorHandle fd = Posix.CreateSharedMemory(Posix.PageSize);
        Assert.True(fd.CloseOnExec);
        using MemoryMapping a = Posix.Map(Posix.PageSize, MappingSharing.Shared, fd);
        using MemoryMapping b = Posix.Map(Posix.PageSize, MappingSharing.Shared, fd);
        a.Span[100] = 77;
        Assert.Equal(77, b.Span[100]);
    }

    [Fact]
    public void Map_BadArguments_ThrowArgumentException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.Map(0, MappingSharing.Shared));
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.Map(4096, (MappingSharing)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.CreateSharedMemory(0));
    }

    [Fact]
    public unsafe void FutexWait_ValueDiffers_ReturnsAtOnce()
    {
        using MemoryMapping mapping = Posix.Map(Posix.PageSize, MappingSharing.Shared);
        uint* word = (uint*)mapping.BaseAddress;
        *word = 5;
        Assert.True(Posix.FutexWait(word, 4, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public unsafe void FutexWait_NobodyWakes_TimesOut()
    {
        using MemoryMapping mapping = Posix.Map(Posix.PageSize, MappingSharing.Shared);
        uint* word = (uint*)mapping.BaseAddress;
        Assert.False(Posix.FutexWait(word, 0, TimeSpan.FromMilliseconds(5)));
    }

    [Fact]
    public async Task FutexWake_SleeperOnAnotherThread_IsWoken()
    {
        using MemoryMapping mapping = Posix.Map(Posix.PageSize, MappingSharing.Shared);
        nint address = Address(mapping);
        var sleeper = Task.Run(() => SleepWhileZero(address));
        await Task.Delay(20);
        Wake(address);
        await sleeper.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static unsafe nint Address(MemoryMapping mapping) => (nint)mapping.BaseAddress;

    private static unsafe void SleepWhileZero(nint address)
    {
        while (Volatile.Read(ref *(uint*)address) == 0)
        {
            Posix.FutexWait((uint*)address, 0, TimeSpan.FromSeconds(30));
        }
    }

    private static unsafe void Wake(nint address)
    {
        Interlocked.Exchange(ref *(uint*)address, 1);
        Posix.FutexWake((uint*)address);
    }
}
