using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>
/// (d) 50 inheritable descriptors (no FD_CLOEXEC) in the parent: a spawned child sees only its
/// standard streams and what it was passed, and no worker of any start method sees any of them.
/// Descriptors are compared by what they point to (pipe:[inode]), not by number.
/// </summary>
internal static class InheritedDescriptorCases
{
    private const int Count = 50;

    public static int Run(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        var pipes = new List<PipeEnds>();
        for (int i = 0; i < Count / 2; i++)
        {
            PipeEnds pipe = Posix.Pipe();
            pipe.Read.CloseOnExec = false;
            pipe.Write.CloseOnExec = false;
            pipes.Add(pipe);
        }

        IReadOnlyDictionary<int, string> mine = ProcFs.DescriptorTargets();
        HashSet<string> planted = pipes.SelectMany(p => new[] { p.Read.Number, p.Write.Number }).Select(n => mine[n]).ToHashSet(StringComparer.Ordinal);
        recorder.Metric("planted", pipes.Count * 2);
        recorder.Metric("plantedInheritable", pipes.Count(p => !p.Read.CloseOnExec && !p.Write.CloseOnExec) * 2);

        // A spawned program, passed one of the 50 as descriptor 9.
        string passedTarget = mine[pipes[0].Read.Number];
        IReadOnlyDictionary<int, string> spawned = SpawnedDescriptors(new DescriptorMapping(9, pipes[0].Read));
        // Both ends of a pipe point to the same pipe:[inode]: count descriptors, not targets.
        int spawnLeaks = spawned.Count(kv => planted.Contains(kv.Value) && !(kv.Key == 9 && kv.Value == passedTarget));
        recorder.Metric("spawn.descriptors", string.Join(' ', spawned.Keys));
        recorder.Metric("spawn.leaked", spawnLeaks);
        recorder.Check("spawned child sees only what was passed", spawnLeaks == 0 && spawned.GetValueOrDefault(9) == passedTarget,
            $"spawn: leaked {spawnLeaks}, fd 9 {(spawned.GetValueOrDefault(9) == passedTarget ? "passed" : "missing")}, fds [{string.Join(' ', spawned.Keys)}]");

        foreach (StartMethod method in new[] { StartMethod.Fork, StartMethod.ForkServer, StartMethod.Spawn })
        {
            string key = method.ToString().ToLowerInvariant();
            try
            {
                using ProcessPool pool = Bounded.Run("ProcessPool.Start", TimeSpan.FromSeconds(60), () => ProcessPool.Start(new ProcessPoolOptions { StartMethod = method, WorkerCount = 2 }));
                string[] targets = pool.SubmitAsync(static () => WorkerDescriptorTargets()).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
                int leaked = targets.Count(t => planted.Contains(t.Split(' ', 2)[1]));
                recorder.Metric($"{key}.descriptors", targets.Length);
                recorder.Metric($"{key}.leaked", leaked);
                recorder.Check($"{method} worker sees none of the 50", leaked == 0, $"{key} worker: sees {leaked} of the {Count} planted, {targets.Length} open");
                Bounded.Run("ProcessPool.Dispose", TimeSpan.FromSeconds(30), pool.Dispose);
            }
            catch (Exception ex)
            {
                recorder.Error(ex, method.ToString());
                recorder.Check($"{method} worker sees none of the 50", false, $"{key}: {LimitCases.Describe(ex)}");
            }
        }

        pipes.ForEach(p => p.Dispose());
        return recorder.Finish();
    }

    /// <summary>In a worker: "NUMBER TARGET" for each open descriptor.</summary>
    public static string[] WorkerDescriptorTargets() =>
        ProcFs.DescriptorTargets().Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")).ToArray();

    /// <summary>Runs a shell that lists its own descriptors and their targets.</summary>
    private static SortedDictionary<int, string> SpawnedDescriptors(DescriptorMapping passed)
    {
        using ChildProcess child = ChildProcess.Spawn("/bin/sh", ["-c", "for f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink \"$f\")\"; done"], new SpawnOptions
        {
            StandardOutput = StdioRedirect.Pipe,
            ExtraDescriptors = [passed],
        });
        using var reader = new StreamReader(child.StandardOutput!);
        Task<string> text = reader.ReadToEndAsync();
        if (!text.Wait(TimeSpan.FromSeconds(30)) || !child.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("the descriptor-listing shell did not finish in 30 s");
        }

        var result = new SortedDictionary<int, string>();
        foreach (string line in text.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', 2);
            if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int fd))
            {
                result[fd] = parts[1];
            }
        }

        return result;
    }
}
