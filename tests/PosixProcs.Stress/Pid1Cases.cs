using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>
/// (g) PID 1 of a PID namespace (as in a container without an init): every orphan in the
/// namespace is reparented to PID 1, and only PID 1 can reap it. The pool suite runs as PID 1
/// itself; the tour runs as PID 1 watched from outside. Zombies must not pile up.
/// </summary>
internal static class Pid1Cases
{
    /// <summary>The pool suite as PID 1 (started by unshare --pid --fork --mount-proc): orphans made on purpose, then counted.</summary>
    public static int PoolSuite(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        recorder.Metric("pid", Environment.ProcessId);
        if (!recorder.Check("running as PID 1", Environment.ProcessId == 1, $"pid {Environment.ProcessId}"))
        {
            return recorder.Finish();
        }

        // What a PID 1 built on this library must do: reap the orphans reparented to it. The
        // reaper sweeps often here so a zombie that outlives a phase means nobody reaps it.
        using OrphanReaper reaper = OrphanReaper.Start(new OrphanReaperOptions
        {
            GracePeriod = TimeSpan.FromMilliseconds(200),
            SweepInterval = TimeSpan.FromMilliseconds(250),
        });
        int zombies = 0;

        // Orphans from a forked child: it forks grandchildren and exits before them.
        using (ChildProcess parent = ChildProcess.Fork(static () =>
               {
                   for (int i = 0; i < 3; i++)
                   {
                       ChildProcess.Fork(static () => Thread.Sleep(100)); // deliberately not waited: an orphan
                   }
               }))
        {
            parent.Wait(TimeSpan.FromSeconds(30));
        }

        // Orphans from a spawned program: a shell that leaves a background job behind.
        using (ChildProcess shell = ChildProcess.Spawn("/bin/sh", ["-c", "sleep 0.1 & sleep 0.1 & exit 0"]))
        {
            shell.Wait(TimeSpan.FromSeconds(30));
        }

        Thread.Sleep(500);
        zombies = Math.Max(zombies, Phase(recorder, "orphans"));

        foreach (StartMethod method in new[] { StartMethod.Fork, StartMethod.ForkServer, StartMethod.Spawn })
        {
            string key = method.ToString().ToLowerInvariant();
            try
            {
                ProcessPool pool = Bounded.Run("ProcessPool.Start", TimeSpan.FromSeconds(60), () => ProcessPool.Start(new ProcessPoolOptions { StartMethod = method, WorkerCount = 2, MaxRetries = 3 }));
                BatchResult first = PoolBatch.Run(pool, 200, TimeSpan.FromSeconds(60), recorder);
                foreach (Pid worker in pool.WorkerPids)
                {
                    ParentKilledCases.TryKill(worker.Value); // replaced; the dead ones must be reaped
                }

                BatchResult second = PoolBatch.Run(pool, 200, TimeSpan.FromSeconds(60), recorder);
                recorder.Metric($"{key}.correct", first.Correct + second.Correct);
                Bounded.Run("ProcessPool.Dispose", TimeSpan.FromSeconds(30), pool.Dispose);
                recorder.Check($"{method} pool ran as PID 1", first.Correct + second.Correct == 400, $"{key} {first.Correct + second.Correct}/400");
            }
            catch (Exception ex)
            {
                recorder.Error(ex, method.ToString());
                recorder.Check($"{method} pool ran as PID 1", false, $"{key}: {LimitCases.Describe(ex)}");
            }

            zombies = Math.Max(zombies, Phase(recorder, key));
        }

        recorder.Metric("reaper.reaped", reaper.ReapedCount);
        recorder.Check("the reaper took the orphans", reaper.ReapedCount >= 5 && reaper.LastError is null,
            $"reaped {reaper.ReapedCount} (at least 5 orphans were made), last error {reaper.LastError?.Message ?? "none"}");
        recorder.Check("no zombies in the namespace", zombies == 0, $"zombies {zombies} (most after any phase)");
        return recorder.Finish();
    }

    /// <summary>The tour (<c>posixprocs tour</c>) as PID 1 of a namespace, its zombies sampled from outside every 250 ms.</summary>
    public static int Tour(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        if (!recorder.Check("the CLI is built", File.Exists(context.CliPath), context.CliPath))
        {
            return recorder.Finish();
        }

        string log = Path.Combine(Path.GetTempPath(), $"posixprocs-stress-tour-{Environment.ProcessId}.log");
        using SafeFileHandle logFile = File.OpenHandle(log, FileMode.Create, FileAccess.Write);
        var logDescriptor = new FileDescriptorHandle((int)logFile.DangerousGetHandle(), ownsHandle: false);
        using ChildProcess unshare = ChildProcess.Spawn("unshare", ["--pid", "--fork", "--mount-proc", "--", context.CliPath, "tour"], new SpawnOptions
        {
            StandardInput = StdioRedirect.Null,
            StandardOutput = StdioRedirect.Descriptor(logDescriptor),
            StandardError = StdioRedirect.Descriptor(logDescriptor),
        });
        recorder.Metric("log", log);
        var firstSeen = new Dictionary<int, long>();
        var persistent = new HashSet<int>();
        int mostAtOnce = 0, lastSample = 0;
        int? namespaceInit = null;
        Stopwatch clock = Stopwatch.StartNew();
        long limitMs = context.Quick ? 120_000 : 200_000;
        while (!unshare.Wait(TimeSpan.FromMilliseconds(250)))
        {
            if (clock.ElapsedMilliseconds > limitMs)
            {
                unshare.Kill();
                recorder.Check("the tour finished", false, $"tour still running after {limitMs / 1000} s");
                break;
            }

            namespaceInit ??= ProcFs.Children(unshare.Pid.Value) is [var first, ..] ? first.Pid : null;
            if (namespaceInit is not int init)
            {
                continue;
            }

            List<int> zombies = ProcFs.Children(init).Where(p => p.IsZombie).Select(p => p.Pid).ToList();
            lastSample = zombies.Count;
            mostAtOnce = Math.Max(mostAtOnce, zombies.Count);
            foreach (int pid in zombies)
            {
                long seen = firstSeen.TryGetValue(pid, out long at) ? at : firstSeen[pid] = clock.ElapsedMilliseconds;
                if (clock.ElapsedMilliseconds - seen >= 1000)
                {
                    persistent.Add(pid); // a zombie for a second or more: nobody is reaping it
                }
            }
        }

        recorder.Metric("tour.seconds", Math.Round(clock.Elapsed.TotalSeconds, 1));
        recorder.Metric("tour.ending", unshare.Status?.ToString());
        recorder.Metric("zombies.persistent", persistent.Count);
        recorder.Metric("zombies.mostAtOnce", mostAtOnce);
        recorder.Metric("zombies.lastSample", lastSample);
        string[] tail = File.ReadAllLines(log).TakeLast(15).ToArray();
        if (unshare.Status is not { IsSuccess: true })
        {
            foreach (string line in tail)
            {
                recorder.Note($"tour: {line}");
            }
        }

        // The summary table marks a claim that did not hold: name those labs.
        string[] failedLabs = File.ReadAllLines(log).Where(l => l.Contains("| DID NOT HOLD |", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1]).ToArray();
        if (unshare.Status is { IsSuccess: true })
        {
            File.Delete(log); // kept only when the tour failed, for its full output
        }

        recorder.Check("PID 1 seen", namespaceInit is not null, $"pid 1 is host pid {namespaceInit?.ToString(CultureInfo.InvariantCulture) ?? "never seen"}");
        recorder.Metric("tour.failedLabs", string.Join(' ', failedLabs));
        recorder.Check("the tour succeeded as PID 1", unshare.Status is { IsSuccess: true },
            $"tour {unshare.Status?.ToString() ?? "killed"}{(failedLabs.Length > 0 ? $", claims that did not hold: {string.Join(", ", failedLabs)}" : string.Empty)}");
        recorder.Check("no zombies left unreaped", persistent.Count == 0, $"zombies for ≥1 s {persistent.Count}, most at once {mostAtOnce}, at the end {lastSample}");
        return recorder.Finish();
    }

    /// <summary>Zombies in the namespace that stay zombies for two seconds (PID 1's reaper had its chances to reap them).</summary>
    private static int Phase(CaseRecorder recorder, string phase)
    {
        HashSet<int> first = ProcFs.All().Where(p => p.IsZombie).Select(p => p.Pid).ToHashSet();
        int persistent = 0;
        if (first.Count > 0)
        {
            Thread.Sleep(2000); // four sweeps of the reaper, more on a saturated machine
            persistent = ProcFs.All().Count(p => p.IsZombie && first.Contains(p.Pid));
        }

        recorder.Metric($"zombies.after.{phase}", persistent);
        return persistent;
    }
}
