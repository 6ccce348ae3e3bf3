using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>Descriptor counts are process-wide: these run alone, with the other serial tests.</summary>
[Collection(SerialChildProcesses.Name)]
public class LeakTests
{
    [Theory]
    [InlineData(SharedMemoryBacking.Anonymous)]
    [InlineData(SharedMemoryBacking.Descriptor)]
    public void Create_ThousandCyclesWithRingAndLock_NoDescriptorGrowthNoShmFiles(SharedMemoryBacking backing)
    {
        string[] shmBefore = ShmFiles();
        Cycle(backing);
        IReadOnlyList<int> before = ProcessInspector.OpenDescriptors();
        for (int i = 0; i < 1000; i++)
        {
            Cycle(backing);
        }

        Assert.Equal(before, ProcessInspector.OpenDescriptors());
        Assert.Equal(shmBefore, ShmFiles());
    }

    private static void Cycle(SharedMemoryBacking backing)
    {
        using var region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(1024) + 64, new SharedMemoryOptions { Backing = backing });
        RingBuffer ring = RingBuffer.Create(region, 1024, RingBufferProducers.Many);
        Assert.True(ring.TryWrite(1, [1, 2, 3]));
        Assert.Equal(LockAcquisition.Acquired, SharedLock.Create(region, RingBuffer.RequiredLength(1024)).TryAcquire(TimeSpan.Zero));
    }

    [Fact]
    public void Scenarios_ProcessesKilledWhileMapping_NoShmFilesLeft()
    {
        string[] shmBefore = ShmFiles();
        Helper.RunOk(nameof(SharedMemoryScenarios.DeadProducerMidRecord));
        Helper.RunOk(nameof(SharedMemoryScenarios.LockHolderKilled));
        Assert.Equal(shmBefore, ShmFiles());
    }

    private static string[] ShmFiles() => Directory.Exists("/dev/shm") ? Directory.GetFiles("/dev/shm").Order(StringComparer.Ordinal).ToArray() : [];
}
