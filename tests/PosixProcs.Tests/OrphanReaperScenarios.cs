using System.Diagnostics;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>Orphans re-parented to this process (a subreaper): each scenario runs in its own helper process.</summary>
public static class OrphanReaperScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Scenario]
    public static int OrphansOfShell(string[] args)
    {
        // args[0]: "reaper" (an OrphanReaper) or "none" (only the subreaper role: the zombies pile up).
        using OrphanReaper? reaper = args[0] == "reaper" ? OrphanReaper.Start(new OrphanReaperOptions { GracePeriod = TimeSpan.FromMilliseconds(200) }) : null;
        if (reaper is null)
        {
            Posix.ChildSubreaper = true;
        }

        // A child this process owns, which ends at once but is waited for only at the end.
        using ChildProcess owned = ChildProcess.Spawn("sh", ["-c", "exit 5"]);
        var shells = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            using ChildProcess shell = ChildProcess.Spawn("sh", ["-c", "sleep 0.2 & sleep 0.3 & exit 0"]);
            shells.Add(shell.Wait().ToString()!);
        }

        // The twenty sleeps end 0.2-0.3 s after their shells (later on a busy machine): wait,
        // bounded, for all twenty to be zombies (no reaper) or reaped (reaper). Zero zombies
        // alone proves nothing: it is also what one sees before the sleeps have ended.
        int expected = reaper is null ? 20 : 0;
        var deadline = Stopwatch.StartNew();
        int zombies;
        while (((zombies = OrphanZombies(owned.Pid)) != expected || (reaper is not null && reaper.ReapedCount < 20)) && deadline.Elapsed < Limit)
        {
            Thread.Sleep(50);
        }

        Console.WriteLine($"pid={Environment.ProcessId}");
        Console.WriteLine($"shells={string.Join(',', shells.Distinct())}");
        Console.WriteLine($"zombies={zombies}");
        Console.WriteLine($"reaped={reaper?.ReapedCount ?? 0}");
        Console.WriteLine($"reaperError={reaper?.LastError?.Message ?? "none"}");

        // System.Diagnostics.Process reaps its own children on SIGCHLD: it must keep the status.
        // It runs after the orphans are counted: once Process has installed .NET's SIGCHLD
        // handler, that handler may reap orphans too (as PID 1 it reaps every child), and the
        // count of what the reaper reaped would then depend on the scheduler.
        // As PID 1, Process reaps every child (measured): args[1] "noprocess" leaves it out.
        bool withProcess = args.Length < 2 || args[1] != "noprocess";
        using (var process = withProcess ? Process.Start(new ProcessStartInfo("sh", ["-c", "exit 7"]))! : null)
        {
            if (process is not null)
            {
                Console.WriteLine($"processExited={process.WaitForExit(Limit)}");
                Console.WriteLine($"processExitCode={process.ExitCode}");
            }
        }

        Console.WriteLine($"owned={owned.Wait()}");
        return 0;
    }

    [Scenario]
    public static int OrphansAsPidOne(string[] args)
    {
        // The same scenario as PID 1 of a new PID namespace (a container without an init),
        // without System.Diagnostics.Process, which reaps every child itself when it runs as PID 1.
        string dll = typeof(OrphanReaperScenarios).Assembly.Location;
        using ChildProcess inner = ChildProcess.Spawn(
            "unshare",
            ["--pid", "--fork", "--kill-child", "--mount-proc", Environment.ProcessPath!, dll, Scenarios.Verb, nameof(OrphansOfShell), "reaper", "noprocess"],
            new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
        using var reader = new StreamReader(inner.StandardOutput!);
        Task<string> output = reader.ReadToEndAsync();
        if (!inner.Wait(Limit * 2))
        {
            inner.Kill();
            inner.Wait();
            Console.WriteLine("inner=hung");
            return 0;
        }

        Console.WriteLine($"inner={inner.Status}");
        Console.Write(output.WaitAsync(Limit).GetAwaiter().GetResult());
        return 0;
    }

    private static int OrphanZombies(Pid owned) => ProcessInspector.Zombies(Environment.ProcessId).Count(pid => pid != owned.Value);
}
