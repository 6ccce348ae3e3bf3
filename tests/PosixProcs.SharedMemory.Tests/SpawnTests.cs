using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SpawnTests
{
    [Fact]
    public void Attach_DescriptorHandedToSpawnedProgram_ItsWritesAreSeen()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
        var counter = new SharedValue<long>(region);
        counter.Value = 41;
        using PipeEnds output = Posix.Pipe();
        const int ChildFd = 3;
        Pid child = Posix.Spawn(new SpawnRequest(Dotnet(), ["dotnet", typeof(Helper).Assembly.Location, PosixProcs.Testing.Scenarios.Verb, nameof(SharedMemoryScenarios.AttachByDescriptor), $"{ChildFd}", $"{Posix.PageSize}"])
        {
            Descriptors = [new DescriptorMapping(1, output.Write), new DescriptorMapping(2, output.Write), new DescriptorMapping(ChildFd, region.Descriptor)],
        });
        output.Write.Dispose();

        WaitStatus status = ReapWithin(child, TimeSpan.FromSeconds(60));
        Assert.True(status.IsSuccess, $"{status}: {ReadAvailable(output.Read)}");
        Assert.Equal(42, counter.Value);
    }

    [Fact]
    public void Wait_SpawnedProgramAttachesAndNotifies_WaiterSeesItsWrite()
    {
        using var region = SharedMemoryRegion.Create(Posix.PageSize, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
        SharedLock sharedLock = SharedLock.Create(region);
        SharedCondition condition = SharedCondition.Create(region, 16);
        var value = new SharedValue<int>(region, 64);
        Assert.Equal(LockAcquisition.Acquired, sharedLock.TryAcquire(TimeSpan.Zero));
        using PipeEnds output = Posix.Pipe();
        const int ChildFd = 3;
        Pid child = Posix.Spawn(new SpawnRequest(Dotnet(), ["dotnet", typeof(Helper).Assembly.Location, PosixProcs.Testing.Scenarios.Verb, nameof(ConditionScenarios.NotifyByDescriptor), $"{ChildFd}", $"{Posix.PageSize}"])
        {
            Descriptors = [new DescriptorMapping(1, output.Write), new DescriptorMapping(2, output.Write), new DescriptorMapping(ChildFd, region.Descriptor)],
        });
        output.Write.Dispose();

        // The program needs the lock, which this process holds until WaitFor registers and lets go.
        bool seen = condition.WaitFor(sharedLock, () => value.Value == 42, TimeSpan.FromSeconds(60));
        sharedLock.Release();
        WaitStatus status = ReapWithin(child, TimeSpan.FromSeconds(60));
        Assert.True(status.IsSuccess, $"{status}: {ReadAvailable(output.Read)}");
        Assert.True(seen);
    }

    private static string Dotnet() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "dotnet"))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("dotnet is not on PATH");

    private static WaitStatus ReapWithin(Pid child, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            WaitStatus status = Posix.WaitPid(child, WaitOptions.NoHang);
            if (status.HasEnded)
            {
                return status;
            }

            Thread.Sleep(10);
        }

        Posix.Kill(child, Signal.SIGKILL);
        return Posix.WaitPid(child);
    }

    private static string ReadAvailable(FileDescriptorHandle fd)
    {
        var buffer = new byte[64 * 1024];
        int total = 0;
        while (total < buffer.Length && Posix.Poll(fd, PollEvents.In, TimeSpan.Zero) != PollEvents.None)
        {
            int read = Posix.Read(fd, buffer.AsSpan(total));
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }
}
