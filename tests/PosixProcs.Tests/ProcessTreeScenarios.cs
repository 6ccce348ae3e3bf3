using System.Diagnostics;
using System.Globalization;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>
/// Three generations under a forked group leader: the forked child (a .NET copy of the helper)
/// spawns a shell that starts the great-grandchild and becomes <c>sleep</c> itself. The helper is
/// a subreaper, so the orphans come to it and it reaps each of them by pid, which shows how each
/// one ended. Each scenario runs in its own single-threaded helper process.
/// </summary>
public static class ProcessTreeScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On a saturated machine (stress-ng --cpu 8 beside the tests) the helper's finalizer thread,
    /// busy at start-up, may wait for a CPU longer than the guard's default 500 ms: seen refusing
    /// the first fork. The guard waits for it; this only gives it the time a busy machine needs.
    /// </summary>
    private static readonly TimeSpan QuietThreadsWait = TimeSpan.FromSeconds(10);

    /// <summary>args[0]: "signal-group" (SIGTERM to the group), "kill-tree" (the great-grandchild leaves with setsid; KillTree), "dispose".</summary>
    [Scenario]
    public static int ThreeGenerations(string[] args)
    {
        string mode = args[0];
        Posix.ChildSubreaper = true;
        string great = mode == "kill-tree" ? "setsid sleep 1000" : "sleep 1000";
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            // The shell prints its own pid and the great-grandchild's, then becomes sleep: no process here reaps.
            using ChildProcess grandchild = ChildProcess.Spawn("sh", ["-c", $"{great} & echo \"$$ $!\"; exec sleep 1000"],
                new SpawnOptions { StandardOutput = StdioRedirect.Descriptor(context.Output!.Handle) });
            Thread.Sleep(Timeout.Infinite);
        }, new ForkOptions { NewProcessGroup = true, OutputPipe = true, WaitForQuietThreads = QuietThreadsWait });

        Console.WriteLine($"childLeadsAtOnce={Posix.GetProcessGroup(child.Pid) == child.Pid}");
        using var reader = new StreamReader(child.StandardOutput!);
        string[] pids = (reader.ReadLine() ?? throw new InvalidOperationException($"the child ended before its grandchild reported: {child.Wait()}")).Split(' ');
        var grandchild = new Pid(int.Parse(pids[0], CultureInfo.InvariantCulture));
        var greatGrandchild = new Pid(int.Parse(pids[1], CultureInfo.InvariantCulture));
        Console.WriteLine($"grandchildInGroup={Posix.GetProcessGroup(grandchild) == child.Pid}");
        if (mode == "kill-tree")
        {
            // setsid(1) runs after the shell printed its pid: wait (bounded) until it has left the group.
            Until(() => Posix.GetProcessGroup(greatGrandchild) == greatGrandchild, "the great-grandchild to lead its own session");
        }

        Console.WriteLine($"greatInGroup={Posix.GetProcessGroup(greatGrandchild) == child.Pid}");
        switch (mode)
        {
            case "signal-group":
                child.SignalGroup(Signal.SIGTERM);
                break;
            case "kill-tree":
                IReadOnlyList<Pid> outside = child.KillTree();
                Console.WriteLine($"outside={string.Join(',', outside)}");
                Console.WriteLine($"outsideIsGreat={outside.Count == 1 && outside[0] == greatGrandchild}");
                break;
            case "dispose":
                child.Dispose();
                break;
            default:
                throw new ArgumentException($"unknown mode {mode}", nameof(args));
        }

        if (mode != "dispose")
        {
            Console.WriteLine($"childEnded={child.Wait(Limit)}");
        }

        Console.WriteLine($"child={child.Status}");
        Console.WriteLine($"grandchild={ReapOrphan(grandchild)}");
        Console.WriteLine($"great={ReapOrphan(greatGrandchild)}");
        Console.WriteLine($"left={new[] { child.Pid, grandchild, greatGrandchild }.Count(pid => Directory.Exists($"/proc/{pid}"))}");
        return 0;
    }

    /// <summary>A forked child in a new session leads its session and group by the time Fork returns.</summary>
    [Scenario]
    public static int ForkNewSession(string[] args)
    {
        using ChildProcess child = ChildProcess.Fork(() => Thread.Sleep(Timeout.Infinite), new ForkOptions { NewSession = true, WaitForQuietThreads = QuietThreadsWait });
        Console.WriteLine($"leadsGroup={Posix.GetProcessGroup(child.Pid) == child.Pid}");
        Console.WriteLine($"leadsSession={SessionOf(child.Pid) == child.Pid.Value}");
        Console.WriteLine($"ownSessionKept={SessionOf(Pid.Current) != child.Pid.Value}");
        child.SignalGroup(Signal.SIGKILL);
        Console.WriteLine($"status={child.Wait()}");
        return 0;
    }

    /// <summary>The orphan, once re-parented to this subreaper, reaped by pid: how it ended.</summary>
    private static string ReapOrphan(Pid pid)
    {
        Until(() => ParentOf(pid) is not { } parent || parent == Environment.ProcessId, $"{pid} to be re-parented here");
        if (ParentOf(pid) is null)
        {
            return "gone before it was re-parented here";
        }

        WaitStatus status = WaitStatus.StillRunning.Instance;
        Until(() => (status = Posix.WaitPid(pid, WaitOptions.NoHang)).HasEnded, $"{pid} to end");
        return status.ToString()!;
    }

    private static void Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Limit)
            {
                throw new TimeoutException($"waited {Limit.TotalSeconds} s for {what}");
            }

            Thread.Sleep(10);
        }
    }

    private static int? ParentOf(Pid pid) => StatField(pid, 1);

    private static int? SessionOf(Pid pid) => StatField(pid, 3);

    /// <summary>A field of /proc/PID/stat counted from the state (0); null once the process has gone.</summary>
    private static int? StatField(Pid pid, int index)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }

        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[index], CultureInfo.InvariantCulture);
    }
}
