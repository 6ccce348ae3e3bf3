using System.Globalization;
using System.Text;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>ProcessRunner scenarios that fork: each runs in a single-threaded helper process.</summary>
public static class ProcessRunnerScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Scenario]
    public static int ForkLifecycle(string[] args)
    {
        using var runner = new ProcessRunner(_ => 7);
        Console.WriteLine($"name={runner.Name}");
        Console.WriteLine($"before={runner.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "null"}:{runner.IsAlive}:{runner.Pid is null}");
        runner.Start();
        Console.WriteLine($"startTwice={Throws(runner.Start)}");
        Console.WriteLine($"daemonAfterStart={Throws(() => runner.Daemon = true)}");
        Console.WriteLine($"joined={runner.Join(Limit)}");
        Console.WriteLine($"exitCode={runner.ExitCode}");
        Console.WriteLine($"status={runner.Status}");

        using ProcessRunner withArgument = ProcessRunner.Create(text =>
        {
            if (text != "argument")
            {
                throw new InvalidOperationException("wrong argument");
            }
        }, "argument");
        withArgument.Start();
        withArgument.Join(Limit);
        Console.WriteLine($"argumentExit={withArgument.ExitCode}");

        using var throwing = new ProcessRunner(() => throw new InvalidOperationException("boom"));
        throwing.Start();
        Console.WriteLine($"throwingJoined={throwing.Join(Limit)}");
        Console.WriteLine($"throwingExit={throwing.ExitCode}");
        Console.WriteLine($"fault={throwing.Fault?.RemoteType}");
        return 0;
    }

    [Scenario]
    public static int ForkAliveThenTerminated(string[] args)
    {
        // The child blocks reading its input until the parent closes it: alive until then, whatever the timing.
        using var reader = new ProcessRunner(context => context.Input!.ReadByte() == -1 ? 5 : 6, new ForkOptions { InputPipe = true });
        reader.Start();
        Console.WriteLine($"aliveWhileBlocked={reader.IsAlive}");
        Console.WriteLine($"exitWhileBlocked={reader.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
        reader.Child!.StandardInput!.Dispose();
        Console.WriteLine($"joined={reader.Join(Limit)}");
        Console.WriteLine($"aliveAfter={reader.IsAlive}");
        Console.WriteLine($"exitAfter={reader.ExitCode}");

        using var sleeper = new ProcessRunner(() => Thread.Sleep(Timeout.Infinite));
        sleeper.Start();
        sleeper.Terminate();
        Console.WriteLine($"terminatedJoined={sleeper.Join(Limit)}");
        Console.WriteLine($"terminatedExit={sleeper.ExitCode}");
        Console.WriteLine($"terminatedStatus={sleeper.Status}");
        sleeper.Terminate(); // reaped: nothing is sent, nothing thrown

        using var killed = new ProcessRunner(() => Thread.Sleep(Timeout.Infinite));
        killed.Start();
        killed.Kill();
        killed.Join(Limit);
        Console.WriteLine($"killedExit={killed.ExitCode}");
        return 0;
    }

    [Scenario]
    public static int ForkActiveChildren(string[] args)
    {
        var blockers = new List<ProcessRunner>();
        for (int i = 0; i < 2; i++)
        {
            var blocker = new ProcessRunner(context => context.Input!.ReadByte() == -1 ? 0 : 1, new ForkOptions { InputPipe = true });
            blocker.Start();
            blockers.Add(blocker);
        }

        // A child started while the parent has two active children sees none of its own.
        using var inner = new ProcessRunner(context => context.Output!.Write(Encoding.UTF8.GetBytes(ProcessRunner.ActiveChildren().Count.ToString(CultureInfo.InvariantCulture))), new ForkOptions { OutputPipe = true });
        inner.Start();
        using (var output = new StreamReader(inner.Child!.StandardOutput!, leaveOpen: true))
        {
            Console.WriteLine($"activeInChild={output.ReadToEnd()}"); // end of file: the child has closed its output
        }

        // The quick child has closed its output: it ends soon; ActiveChildren reaps it, bounded.
        long deadline = Environment.TickCount64 + (long)Limit.TotalMilliseconds;
        while (ProcessRunner.ActiveChildren().Contains(inner) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
        }

        Console.WriteLine($"quickReapedByActiveChildren={inner.Child.HasExited}");
        IReadOnlyList<ProcessRunner> active = ProcessRunner.ActiveChildren();
        Console.WriteLine($"active={string.Join(',', active.Select(r => blockers.IndexOf(r)))}");
        foreach (ProcessRunner blocker in blockers)
        {
            blocker.Child!.StandardInput!.Dispose();
            blocker.Join(Limit);
            blocker.Dispose();
        }

        Console.WriteLine($"activeAfter={ProcessRunner.ActiveChildren().Count}");
        return 0;
    }

    [Scenario]
    public static int ForkDisposeDaemonAndNot(string[] args)
    {
        var daemon = new ProcessRunner(() => Thread.Sleep(Timeout.Infinite)) { Daemon = true };
        daemon.Start();
        daemon.Dispose();
        Console.WriteLine($"daemon={daemon.Status}");

        // Dispose joins a non-daemon child: it ends on its own, with its own code, never killed.
        var worker = new ProcessRunner(_ =>
        {
            Thread.Sleep(300);
            return 4;
        });
        worker.Start();
        worker.Dispose();
        Console.WriteLine($"worker={worker.Status}");
        Console.WriteLine($"zombies={ProcessInspector.Zombies(Pid.Current.Value).Count}");
        return 0;
    }

    /// <summary>Starts daemon children (forked and spawned) and a non-daemon one, writes their pids to the file args[0], then dies by SIGKILL.</summary>
    [Scenario]
    public static int DaemonsThenSigkill(string[] args)
    {
        using var pids = new StreamWriter(args[0]) { AutoFlush = true };
        var silent = new SpawnOptions { StandardInput = StdioRedirect.Null, StandardOutput = StdioRedirect.Null, StandardError = StdioRedirect.Null };
        var forked = new ProcessRunner(() => Thread.Sleep(Timeout.Infinite)) { Daemon = true };
        var spawned = new ProcessRunner("sleep", ["600"], silent) { Daemon = true };
        var plain = new ProcessRunner("sleep", ["600"], silent);
        forked.Start();
        spawned.Start();
        plain.Start();
        foreach ((string key, ProcessRunner runner) in new[] { ("forked", forked), ("spawned", spawned), ("plain", plain) })
        {
            int pid = runner.Pid!.Value.Value;
            pids.WriteLine($"{key}={pid}:{StartTime(pid)}");
        }

        Posix.Kill(Pid.Current, Signal.SIGKILL);
        return 1;
    }

    /// <summary>Field 22 of /proc/PID/stat: when the process started, which tells it from a later one with the same pid.</summary>
    public static string StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return "gone";
        }

        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[19];
    }

    private static string Throws(Action action)
    {
        try
        {
            action();
            return "none";
        }
        catch (Exception ex)
        {
            return ex.GetType().Name;
        }
    }
}
