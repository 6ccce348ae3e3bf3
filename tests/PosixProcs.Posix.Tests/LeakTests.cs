using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Descriptor counts are process-wide: these run alone, after the parallel tests.</summary>
[Collection(SerialChildProcesses.Name)]
public class LeakTests
{
    [Fact]
    public void Pipe_CreatedAndDisposed_DescriptorCountUnchanged()
    {
        int before = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 1000; i++)
        {
            using PipeEnds pipe = Posix.Pipe();
        }

        Assert.Equal(before, ProcessInspector.SettledDescriptorCount());
    }

    [Fact]
    public void CreateSharedMemory_ThousandCycles_NoDescriptorGrowthNoShmFiles()
    {
        int before = ProcessInspector.SettledDescriptorCount();
        string[] shmBefore = Directory.Exists("/dev/shm") ? Directory.GetFiles("/dev/shm") : [];
        for (int i = 0; i < 1000; i++)
        {
            using FileDescriptorHandle fd = Posix.CreateSharedMemory(Posix.PageSize);
            using MemoryMapping mapping = Posix.Map(Posix.PageSize, MappingSharing.Shared, fd);
            mapping.Span[0] = 1;
        }

        Assert.Equal(before, ProcessInspector.SettledDescriptorCount());
        string[] shmAfter = Directory.Exists("/dev/shm") ? Directory.GetFiles("/dev/shm") : [];
        Assert.Equal(shmBefore, shmAfter);
    }
}
