using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// The unrelated processes of the named shared memory tests: they know the region only by
/// its name. Layout: a <see cref="SharedValue{T}"/> of long at 0, a <see cref="SharedEvent"/>
/// ("a peer has attached") at <see cref="AttachedEventOffset"/>.
/// </summary>
public static class NamedSharedMemoryScenarios
{
    /// <summary>Where the "a peer has attached" event lives.</summary>
    public const long AttachedEventOffset = 64;

    /// <summary>What <see cref="CreateAndWait"/> writes into its region.</summary>
    public const long CreatorValue = 7;

    /// <summary>Attaches <c>args[0]</c> by name, adds 1 to the counter and reports what it saw.</summary>
    [Scenario]
    public static int AttachAndIncrement(string[] args)
    {
        using (var region = SharedMemoryRegion.Attach(args[0]))
        {
            var counter = new SharedValue<long>(region);
            Console.WriteLine($"length={region.Length}");
            Console.WriteLine($"backing={region.Backing}");
            Console.WriteLine($"name={region.Name}");
            Console.WriteLine($"cloexec={region.Descriptor!.CloseOnExec}");
            Console.WriteLine($"after={counter.Add(1)}");
        }

        // An attacher's Dispose leaves the name to the creator.
        Console.WriteLine($"exists={SharedMemoryNames.Exists(args[0])}");
        return 0;
    }

    /// <summary>Tries to attach <c>args[0]</c> and reports the exception it got.</summary>
    [Scenario]
    public static int AttachAndReportFailure(string[] args)
    {
        Console.WriteLine($"euid={Posix.EffectiveUserId}");
        try
        {
            SharedMemoryRegion.Attach(args[0]).Dispose();
            Console.WriteLine("type=none");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"type={ex.GetType().Name}");
            Console.WriteLine($"call={(ex as PosixException)?.CallName}");
            Console.WriteLine($"errno={(ex as PosixException)?.ErrnoName}");
            Console.WriteLine($"message={ex.Message}");
        }

        return 0;
    }

    /// <summary>
    /// Creates the named region <c>args[0]</c> (unlinked on Dispose, the default), writes
    /// <see cref="CreatorValue"/>, says <c>ready</c> (with <c>args[1] == "guard"</c> it is created
    /// with <see cref="SharedMemoryOptions.UnlinkWhenCreatorDies"/>); with <c>args[1] == "unlink-early"</c> it
    /// waits for a peer's "attached" event and unlinks the name, saying <c>unlinked</c>. Then it
    /// waits to be SIGKILLed: it never reaches Dispose. It exits 3 by itself after 120 s, so a
    /// failed test does not leave it running for ever.
    /// </summary>
    [Scenario]
    public static int CreateAndWait(string[] args)
    {
        var region = SharedMemoryRegion.Create(Posix.PageSize, new SharedMemoryOptions { Backing = SharedMemoryBacking.Named, Name = args[0], UnlinkWhenCreatorDies = args[1] == "guard" });
        new SharedValue<long>(region).Value = CreatorValue;
        SharedEvent attached = SharedEvent.Create(region, offset: AttachedEventOffset);
        Console.WriteLine($"guard={region.UnlinkGuardPid}");
        Console.WriteLine("ready");
        if (args[1] == "unlink-early")
        {
            if (!attached.Wait(TimeSpan.FromSeconds(60)))
            {
                Console.WriteLine("error=no peer attached in 60 s");
                return 2;
            }

            Console.WriteLine($"unlinked={region.Unlink()}");
        }

        Thread.Sleep(TimeSpan.FromSeconds(120));
        GC.KeepAlive(region);
        return 3;
    }
}
