using Mono.Unix.Native;
using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Spawn under a lowered RLIMIT_NOFILE: in a helper process, so the test host keeps its own limit.</summary>
public static class SpawnScenarios
{
    /// <summary>
    /// Fills every free number below the highest open descriptor, opens a pipe on top, then
    /// sets the soft limit to leave 0 to 6 numbers free and spawns `sh -c 'echo okN'` with
    /// stdout on the pipe under each. The parent needs 2 of them (the exec-error pipe); the
    /// child must need none more. Prints each outcome ("ok", "exitN" or "Step:ERRNO"), what
    /// the pipe received, and whether a child or a descriptor was left behind.
    /// </summary>
    [Scenario]
    public static int SpawnNearDescriptorLimit(string[] args)
    {
        using FileDescriptorHandle devNull = Open("/dev/null");
        ResourceLimit original = Posix.GetResourceLimit(ResourceKind.OpenFiles);

        // Once at a limit that fails and once at the original one: the first run loads what
        // the runtime loads lazily (assemblies, exception resources), which is not a leak.
        Console.WriteLine($"warmup={Attempt(devNull, 4, original, "warm")},{Attempt(devNull, original.Soft, original, "warm")}");

        int top = ProcessInspector.OpenDescriptors().Max();
        var holeFillers = new List<FileDescriptorHandle>();
        while (true)
        {
            FileDescriptorHandle filler = Posix.Duplicate(devNull);
            if (filler.DangerousGetHandle() > top)
            {
                filler.Dispose();
                break;
            }

            holeFillers.Add(filler);
        }

        try
        {
            using PipeEnds pipe = Posix.Pipe();
            int highest = ProcessInspector.OpenDescriptors().Max();
            int open = ProcessInspector.OpenDescriptorCount();
            Console.WriteLine($"highest={highest} pipe={pipe.Read.DangerousGetHandle()},{pipe.Write.DangerousGetHandle()}");
            var outcomes = new List<string>();
            bool leftBehind = false;
            for (int free = 0; free <= 6; free++)
            {
                outcomes.Add($"{free}:{Attempt(pipe.Write, (ulong)(highest + 1 + free), original, $"ok{free}")}");
                if (ProcessInspector.Children(Environment.ProcessId).Count != 0 || ProcessInspector.OpenDescriptorCount() != open)
                {
                    leftBehind = true;
                }
            }

            pipe.Write.Dispose();
            using var reader = new StreamReader(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(pipe.Read.DangerousGetHandle(), ownsHandle: false), FileAccess.Read));
            Console.WriteLine($"outcomes={string.Join(' ', outcomes)}");
            Console.WriteLine($"received={string.Join(',', reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))}");
            Console.WriteLine($"leftBehind={leftBehind}");
        }
        finally
        {
            holeFillers.ForEach(f => f.Dispose());
        }

        return 0;
    }

    /// <summary>Spawns `sh -c 'echo {word}'` with stdout on <paramref name="output"/> under a soft limit; reaps it.</summary>
    private static string Attempt(FileDescriptorHandle output, ulong? limit, ResourceLimit original, string word)
    {
        Posix.SetResourceLimit(new ResourceLimit(ResourceKind.OpenFiles, limit, original.Hard));
        Pid pid;
        try
        {
            pid = Posix.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", $"echo {word}"]) { Descriptors = [new DescriptorMapping(1, output)] });
        }
        catch (SpawnException ex)
        {
            return $"{ex.Step}:{ex.ErrnoName}";
        }
        finally
        {
            Posix.SetResourceLimit(original);
        }

        WaitStatus status = Posix.WaitPid(pid);
        return status is WaitStatus.Exited(0) ? "ok" : status.ToString();
    }

    private static FileDescriptorHandle Open(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        return fd >= 0 ? new FileDescriptorHandle(fd, ownsHandle: true) : throw new InvalidOperationException($"open {path} failed");
    }
}
