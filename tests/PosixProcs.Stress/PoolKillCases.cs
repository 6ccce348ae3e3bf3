using System.Diagnostics;
using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>
/// (a) Many small tasks per start method while a killer process SIGKILLs a random worker
/// every 20 ms (and, for ForkServer, the fork server itself a few times): every task
/// resolves (none lost or wrong), the host lives, the pool gets back to full size, no
/// zombies, the descriptor count returns to where it was; tasks/s with and without kills.
/// </summary>
internal static class PoolKillCases
{
    private const int Workers = 4;
    private const int KillIntervalMs = 20;
    private const int ServerKills = 3;

    public static int Run(CaseContext context, StartMethod method)
    {
        CaseRecorder recorder = context.Recorder;
        int count = context.Size(10_000, 500);
        TimeSpan batchLimit = TimeSpan.FromSeconds(context.Quick ? 8 : 40);
        TimeSpan drainLimit = TimeSpan.FromSeconds(context.Quick ? 15 : 30);
        recorder.Metric("method", method.ToString());
        recorder.Metric("workers", Workers);
        recorder.Metric("fd.beforeBaseline", ProcFs.OpenDescriptorCount());

        // Baseline, no kills: also opens whatever the runtime opens lazily (epoll, eventfd),
        // so the descriptor count after it is the one the killed run must come back to.
        BatchResult baseline;
        using (ProcessPool pool = Bounded.Run("ProcessPool.Start", TimeSpan.FromSeconds(60), () => ProcessPool.Start(Options(method))))
        {
            baseline = PoolBatch.Run(pool, count, batchLimit, recorder);
            baseline.Record(recorder, "baseline");
            Bounded.Run("ProcessPool.Dispose (baseline)", TimeSpan.FromSeconds(30), pool.Dispose);
        }

        int fdStart = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.start", fdStart);

        ProcessPool killed = Bounded.Run("ProcessPool.Start", TimeSpan.FromSeconds(60), () => ProcessPool.Start(Options(method)));
        BatchResult underKills;
        Task<long>[] tasks;
        string killerReport;
        int serverKills = 0;
        using (HelperProcess killer = HelperProcess.Start(
                   Program.KillerVerb,
                   Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                   KillIntervalMs.ToString(CultureInfo.InvariantCulture)))
        {
            // A dotnet start takes seconds on a loaded machine: the tasks wait for the killer.
            recorder.Check("the killer started", killer.WaitForLine(WorkerKiller.ReadyLine, TimeSpan.FromSeconds(60)) is not null, "killer ready");

            // ForkServer: the tasks go in waves, and the server is SIGKILLed right after each
            // wave after the first is submitted, with its tasks in flight: three server deaths
            // happen however fast the pool is.
            int waves = method == StartMethod.ForkServer ? ServerKills + 1 : 1;
            Stopwatch clock = Stopwatch.StartNew();
            tasks = new Task<long>[count];
            for (int wave = 0; wave < waves; wave++)
            {
                int first = count * wave / waves;
                int waveSize = (count * (wave + 1) / waves) - first;
                PoolBatch.Submit(killed, waveSize, first).CopyTo(tasks, first);
                if (wave > 0 && KillForkServer(recorder))
                {
                    serverKills++;
                }

                PoolBatch.WaitAll(tasks[first..(first + waveSize)], batchLimit - clock.Elapsed > TimeSpan.Zero ? batchLimit - clock.Elapsed : TimeSpan.Zero);
            }

            underKills = PoolBatch.Evaluate(tasks, clock.Elapsed.TotalSeconds, recorder: null);
            killerReport = killer.Stop(TimeSpan.FromSeconds(10)).Trim();
        }

        recorder.Metric("serverKills", serverKills);
        // Tasks still pending when the kills stop get time to finish: a task is lost only if
        // it never resolves. (Spawn workers take longer to start than the killer lets them live.)
        underKills.Record(recorder, "duringKills");
        PoolBatch.WaitAll(tasks, drainLimit);
        BatchResult final = PoolBatch.Evaluate(tasks, 0, recorder);
        final.Record(recorder, "final");

        recorder.Note($"killer: {killerReport}");
        Dictionary<string, long> killerCounts = Counts(killerReport);
        foreach ((string key, long value) in killerCounts)
        {
            recorder.Metric($"killer.{key}", value);
        }

        // After the storm: the pool must still work and come back to full size.
        BatchResult after = PoolBatch.Run(killed, context.Size(200, 50), TimeSpan.FromSeconds(15), recorder);
        after.Record(recorder, "after");
        int size = WaitForFullSize(killed, TimeSpan.FromSeconds(15));
        recorder.Metric("pool.sizeAfter", size);
        int zombies = PersistentZombies(recorder);
        recorder.Metric("zombies", zombies);

        long workerKills = killerCounts.GetValueOrDefault("workerKills");
        recorder.Check("every task resolved", final.Lost == 0 && baseline.Lost == 0,
            $"resolved {final.Resolved}/{count} ({underKills.Resolved} while killing), lost {final.Lost}, baseline lost {baseline.Lost}");
        recorder.Check("no wrong result", final.Wrong == 0 && baseline.Wrong == 0 && after.Wrong == 0, $"wrong {final.Wrong}");
        recorder.Check("only typed failures", final.Unexpected == 0 && baseline.Unexpected == 0 && after.Unexpected == 0,
            $"crashed {final.Crashed} (WorkerCrashedException), other {final.Unexpected + baseline.Unexpected + after.Unexpected}");
        recorder.Check("the killer killed", workerKills > 0,
            string.Create(CultureInfo.InvariantCulture, $"worker kills {workerKills} (one per {underKills.Seconds * 1000 / Math.Max(1, workerKills):0} ms)"));
        if (method == StartMethod.ForkServer)
        {
            recorder.Check("the fork server was killed", serverKills == ServerKills, $"server kills {serverKills}/{ServerKills}");
        }

        recorder.Check("throughput measured", true,
            string.Create(CultureInfo.InvariantCulture, $"{baseline.TasksPerSecond:0} tasks/s quiet, {underKills.TasksPerSecond:0} tasks/s under kills"));
        recorder.Check("pool works after the kills", after.Correct == after.Submitted, $"after {after.Correct}/{after.Submitted}");
        recorder.Check("pool back to full size", size == Workers, $"size {size}/{Workers}");
        recorder.Check("no zombies", zombies == 0, $"zombies {zombies}");
        Exception? disposal = LimitCases.Attempt(() => Bounded.Run("ProcessPool.Dispose", TimeSpan.FromSeconds(30), killed.Dispose));
        recorder.Check("the pool disposes", disposal is null, disposal is null ? "disposed" : LimitCases.Describe(disposal));
        int survivors = WaitForNoDescendants(TimeSpan.FromSeconds(10));
        recorder.Metric("survivorsAfterDispose", survivors);
        int fdEnd = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.end", fdEnd);
        recorder.Check("no process left after dispose", survivors == 0, $"survivors {survivors}");
        recorder.Check("descriptors back to start", fdEnd <= fdStart, $"fd {fdStart}→{fdEnd}");
        return recorder.Finish();
    }

    /// <summary>SIGKILLs this process's fork server (the worker host started with "server"); false if there is none now.</summary>
    private static bool KillForkServer(CaseRecorder recorder)
    {
        // After the previous kill the pool starts a new server when it next needs a worker: on a
        // saturated machine that dotnet start takes seconds. Wait for it (bounded).
        ProcessEntry? server = null;
        long deadline = Environment.TickCount64 + 60_000;
        while ((server = ProcFs.Children(Environment.ProcessId).FirstOrDefault(p => !p.IsZombie && WorkerKiller.IsForkServer(p))) is null
               && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        if (server is null)
        {
            recorder.Note("no fork server to kill at this wave (none came up in 60 s)");
            return false;
        }

        ParentKilledCases.TryKill(server.Pid);
        return true;
    }

    /// <summary>"a=1 b=2" → {a: 1, b: 2}: what a helper printed last.</summary>
    public static Dictionary<string, long> Counts(string report)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string pair in report.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = pair.Split('=');
            if (parts.Length == 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long value))
            {
                counts[parts[0]] = value;
            }
        }

        return counts;
    }

    public static ProcessPoolOptions Options(StartMethod method) => new()
    {
        StartMethod = method,
        WorkerCount = Workers,
        MaxRetries = 5,
        WorkerStartTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Waits until the pool lists <see cref="Workers"/> live workers; returns how many live ones it had at the end.</summary>
    private static int WaitForFullSize(ProcessPool pool, TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        int alive;
        do
        {
            alive = pool.WorkerPids.Count(p => ProcFs.IsAlive(p.Value));
            if (alive == Workers)
            {
                return alive;
            }

            Thread.Sleep(100);
        }
        while (Environment.TickCount64 < deadline);
        return alive;
    }

    /// <summary>Zombies among this process's descendants that are still zombies a second later (a reaper had its chance).</summary>
    public static int PersistentZombies(CaseRecorder? recorder = null)
    {
        var first = ProcFs.Descendants(Environment.ProcessId).Where(p => p.IsZombie).Select(p => p.Pid).ToHashSet();
        if (first.Count == 0)
        {
            return 0;
        }

        Thread.Sleep(1000);
        List<ProcessEntry> persistent = ProcFs.Descendants(Environment.ProcessId).Where(p => p.IsZombie && first.Contains(p.Pid)).ToList();
        foreach (ProcessEntry zombie in persistent)
        {
            // Whose it is says who failed to reap it: this process (the pool) or one of its children.
            string parent = zombie.ParentPid == Environment.ProcessId ? "this process" : string.Join(' ', ProcFs.CommandLine(zombie.ParentPid).Take(3));
            recorder?.Note(string.Create(CultureInfo.InvariantCulture, $"zombie {zombie.Pid}, child of {zombie.ParentPid} ({parent}), still a zombie after 1 s"));
        }

        return persistent.Count;
    }

    /// <summary>Waits until no descendant is alive; returns how many still are.</summary>
    public static int WaitForNoDescendants(TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        int alive;
        do
        {
            alive = ProcFs.Descendants(Environment.ProcessId).Count(p => !p.IsZombie);
            if (alive == 0)
            {
                return 0;
            }

            Thread.Sleep(100);
        }
        while (Environment.TickCount64 < deadline);
        return alive;
    }
}
