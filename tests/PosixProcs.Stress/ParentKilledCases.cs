using System.Diagnostics;
using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>
/// (b) The pool's process SIGKILLed while its workers are busy, per start method: within a
/// few seconds no process it started may survive (workers, fork server), and nothing new
/// may be left in /dev/shm.
/// </summary>
internal static class ParentKilledCases
{
    private const string ReadyPrefix = "ready ";
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);

    public static int Run(CaseContext context, StartMethod method)
    {
        CaseRecorder recorder = context.Recorder;
        recorder.Metric("method", method.ToString());

        // Orphans are reparented to us, so we can reap the dead ones and see the live ones.
        Posix.ChildSubreaper = true;
        IReadOnlySet<string> shmBefore = ProcFs.SharedMemoryEntries();
        using HelperProcess victim = HelperProcess.Start(Program.VictimVerb, method.ToString());
        string? ready = victim.WaitForLine(ReadyPrefix, TimeSpan.FromSeconds(60));
        if (!recorder.Check("the pool's process got ready", ready is not null, ready is null ? "no ready line in 60 s" : ready.Trim()))
        {
            return recorder.Finish();
        }

        List<int> family = ProcFs.Descendants(victim.Pid.Value).Where(p => !p.IsZombie).Select(p => p.Pid).ToList();
        recorder.Metric("processesBeforeKill", family.Count);
        Stopwatch clock = Stopwatch.StartNew();
        WaitStatus? ending = victim.KillAndReap(TimeSpan.FromSeconds(10));
        recorder.Metric("parentEnding", ending?.ToString() ?? "not reaped");

        List<int> survivors;
        do
        {
            ReapOrphans();
            survivors = family.Where(ProcFs.IsAlive).ToList();
            if (survivors.Count == 0)
            {
                break;
            }

            Thread.Sleep(50);
        }
        while (clock.Elapsed < GracePeriod);
        double seconds = clock.Elapsed.TotalSeconds;
        recorder.Metric("survivors", survivors.Count);
        recorder.Metric("secondsUntilAllGone", survivors.Count == 0 ? Math.Round(seconds, 3) : null);
        foreach (int pid in survivors)
        {
            recorder.Note($"survivor: {ProcFs.Read(pid)}");
            TryKill(pid);
        }

        Thread.Sleep(200);
        ReapOrphans();
        string[] newShm = ProcFs.SharedMemoryEntries().Except(shmBefore).ToArray();
        recorder.Metric("newShmEntries", newShm.Length);
        recorder.Check("the parent died by SIGKILL", ending is WaitStatus.Signaled { Signal: var s } && s == Signal.SIGKILL, ending?.ToString() ?? "not reaped");
        recorder.Check("no surviving process", survivors.Count == 0,
            string.Create(CultureInfo.InvariantCulture, $"survivors {survivors.Count}/{family.Count} after {seconds:0.0} s"));
        recorder.Check("no new /dev/shm entry", newShm.Length == 0, $"new shm {newShm.Length}{(newShm.Length > 0 ? ": " + string.Join(' ', newShm) : string.Empty)}");
        return recorder.Finish();
    }

    /// <summary>The victim: <c>victim METHOD</c> starts a pool, makes every worker busy, prints "ready" and waits to be killed.</summary>
    public static int Victim(string[] args)
    {
        var method = Enum.Parse<StartMethod>(args[0]);
        ProcessPool pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = method, WorkerCount = 3 });
        Task<long>[] warm = PoolBatch.Submit(pool, 30);
        Task.WaitAll(warm, TimeSpan.FromSeconds(30));
        for (int i = 0; i < 6; i++)
        {
            _ = pool.SubmitAsync(static (int ms) =>
            {
                Thread.Sleep(ms);
                return ms;
            }, 120_000);
        }

        Thread.Sleep(500); // the long tasks reach the workers
        Console.WriteLine($"{ReadyPrefix}pid={Environment.ProcessId} workers={string.Join(',', pool.WorkerPids)}");
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromMinutes(2)); // killed long before; PR_SET_PDEATHSIG ends it if the case dies
        return 0;
    }

    /// <summary>Reaps every zombie child (orphans reparented to this subreaper).</summary>
    public static void ReapOrphans()
    {
        foreach (ProcessEntry child in ProcFs.Children(Environment.ProcessId).Where(c => c.IsZombie))
        {
            try
            {
                Posix.WaitPid(new Pid(child.Pid), WaitOptions.NoHang);
            }
            catch (PosixException)
            {
                // reaped by its owner meanwhile
            }
        }
    }

    public static void TryKill(int pid)
    {
        try
        {
            Posix.Kill(new Pid(pid), Signal.SIGKILL);
        }
        catch (PosixException)
        {
            // gone already
        }
    }
}
