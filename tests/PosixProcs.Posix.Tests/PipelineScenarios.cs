using Mono.Unix.Native;
using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Pipelines under a lowered RLIMIT_NOFILE: in a helper process, so the test host keeps its own limit.</summary>
public static class PipelineScenarios
{
    /// <summary>
    /// Sets the soft descriptor limit to each value from 4 to well above the highest open
    /// descriptor (new descriptors must get a number below it; the open ones stay), and starts
    /// `sleep 30 | cat(+8 extra descriptors) | cat` under each: stage 1 needs more descriptors
    /// (its own and, in the child, room above them) than stage 0, so some limit lets stage 0
    /// start and fails stage 1 or 2; sleep is then left running unless the shim kills it.
    /// Prints each outcome and whether a child or a descriptor was left behind.
    /// </summary>
    [Scenario]
    public static int PipelineUnderDescriptorLimits(string[] args)
    {
        using FileDescriptorHandle devNull = Open("/dev/null");
        ResourceLimit original = Posix.GetResourceLimit(ResourceKind.OpenFiles);
        DescriptorMapping[] extras = [.. Enumerable.Range(3, 8).Select(fd => new DescriptorMapping(fd, devNull))];
        SpawnRequest[] stages =
        [
            new("/bin/sleep", ["sleep", "30"]) { Descriptors = [new DescriptorMapping(0, devNull), new DescriptorMapping(2, devNull)] },
            new("/bin/cat", ["cat"]) { Descriptors = [new DescriptorMapping(2, devNull), .. extras] },
            new("/bin/cat", ["cat"]) { Descriptors = [new DescriptorMapping(1, devNull), new DescriptorMapping(2, devNull)] },
        ];

        // Once at a limit that fails and once at the original one, before counting: the first
        // run opens what the runtime loads lazily (assemblies, the symbol files a stack trace
        // reads, Console's signal pipe), which is not a leak.
        Console.WriteLine($"warmup={Attempt(stages, 4, original)},{Attempt(stages, original.Soft, original)}");
        Console.WriteLine($"warmupChildren={ProcessInspector.Children(Environment.ProcessId).Count}");
        int highest = ProcessInspector.OpenDescriptors().Max();
        int open = ProcessInspector.OpenDescriptorCount();
        IReadOnlyList<int> before = ProcessInspector.OpenDescriptors();
        Console.WriteLine($"open={open} highest={highest}");
        var outcomes = new List<string>();
        bool leftBehind = false;
        for (ulong limit = 4; limit <= (ulong)highest + 40; limit++)
        {
            string outcome = Attempt(stages, limit, original);
            IReadOnlyList<(int Pid, char State)> children = ProcessInspector.Children(Environment.ProcessId);
            int nowOpen = ProcessInspector.OpenDescriptorCount();
            if (children.Count != 0 || nowOpen != open)
            {
                leftBehind = true;
                string added = string.Join(' ', ProcessInspector.OpenDescriptors().Except(before).Select(fd => new FileInfo($"/proc/self/fd/{fd}").LinkTarget));
                Console.WriteLine($"left{limit}={outcome}: {children.Count} children ({string.Join(' ', children.Select(c => $"{c.Pid}:{c.State}"))}), {nowOpen - open} descriptors: {added}");
            }

            outcomes.Add(outcome);
        }

        Console.WriteLine($"outcomes={string.Join(' ', outcomes.Distinct())}");
        Console.WriteLine($"leftBehind={leftBehind}");
        return 0;
    }

    /// <summary>Starts the stages under a soft descriptor limit, then kills and reaps them: "started,started,started", or "stageK:Step:ERRNO".</summary>
    private static string Attempt(SpawnRequest[] stages, ulong? limit, ResourceLimit original)
    {
        Posix.SetResourceLimit(new ResourceLimit(ResourceKind.OpenFiles, limit, original.Hard));
        try
        {
            IReadOnlyList<Pid> pids = Posix.SpawnPipeline(stages);
            Posix.SetResourceLimit(original);
            Posix.KillProcessGroup(pids[0], Signal.SIGKILL);
            return string.Join(",", pids.Select(pid => Posix.WaitPid(pid) == new WaitStatus.Signaled(Signal.SIGKILL, false) ? "started" : "ended early"));
        }
        catch (SpawnException ex)
        {
            Posix.SetResourceLimit(original);
            return $"stage{ex.PipelineStage}:{ex.Step}:{ex.ErrnoName}";
        }
    }

    private static FileDescriptorHandle Open(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
        return fd >= 0 ? new FileDescriptorHandle(fd, ownsHandle: true) : throw new InvalidOperationException($"open {path} failed");
    }
}
