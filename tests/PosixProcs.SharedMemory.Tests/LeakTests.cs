using PosixProcs.SharedMemory;

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
        // Counted by kind rather than in total: the test host opens and closes descriptors
        // of its own (pipes of earlier helper processes) at any moment.
        string[] shmBefore = ShmFiles();
        Cycle(backing);
        int descriptorsBefore = SharedMemoryDescriptors();
        int mappingsBefore = SharedMappings();
        for (int i = 0; i < 1000; i++)
        {
            Cycle(backing);
        }

        Assert.Equal(descriptorsBefore, SharedMemoryDescriptors());
        Assert.Equal(mappingsBefore, SharedMappings());
        Assert.Equal(shmBefore, ShmFiles());
    }

    [Fact]
    public void SharedMemoryDescriptors_RegionAlive_CountsIt()
    {
        // The counters above must see what they look for, or the leak test could never fail.
        int descriptors = SharedMemoryDescriptors();
        int mappings = SharedMappings();
        using var backed = SharedMemoryRegion.Create(100, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
        using var anonymous = SharedMemoryRegion.Create(100);
        Assert.Equal(descriptors + 1, SharedMemoryDescriptors());
        Assert.Equal(mappings + 2, SharedMappings());
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

    /// <summary>Open descriptors that refer to shared memory objects (memfd or /dev/shm).</summary>
    private static int SharedMemoryDescriptors() =>
        Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget is { } target && (target.StartsWith("/memfd:", StringComparison.Ordinal) || target.StartsWith("/dev/shm/", StringComparison.Ordinal)));

    /// <summary>Shared mappings of memfds and of anonymous shared memory (shown as /dev/zero).</summary>
    private static int SharedMappings() =>
        File.ReadLines("/proc/self/maps").Count(line => line.Contains("/memfd:", StringComparison.Ordinal) || line.Contains("/dev/zero", StringComparison.Ordinal));

    /// <summary>
    /// The names in /dev/shm, except those that Python's multiprocessing creates (sem.*,
    /// psm_*): other people's benchmarks on this shared machine come and go meanwhile; and
    /// those of the Posix layer's tests (pptest_posix_*), which run in another test process.
    /// </summary>
    private static string[] ShmFiles() =>
        Directory.Exists("/dev/shm")
            ? Directory.GetFiles("/dev/shm").Select(Path.GetFileName).OfType<string>()
                .Where(name => !name.StartsWith("sem.", StringComparison.Ordinal) && !name.StartsWith("psm_", StringComparison.Ordinal) && !name.StartsWith("pptest_posix_", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToArray()
            : [];
}
