using System.Globalization;
using System.Runtime.CompilerServices;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>Scenarios for a pool that must survive its workers and its fork server (issue 10).</summary>
public static class ResilienceScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static void Print(string key, object? value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));

    private static T Run<T>(Func<Task<T>> body) => body().WaitAsync(Limit).GetAwaiter().GetResult();

    private static void Run(Func<Task> body) => body().WaitAsync(Limit).GetAwaiter().GetResult();

    private static ProcessPoolOptions With(string method, ProcessPoolOptions options)
    {
        options.StartMethod = Enum.Parse<StartMethod>(method);
        return options;
    }

    /// <summary>The helper's child that runs the worker host in server mode.</summary>
    private static int ForkServerPid()
    {
        foreach ((int pid, char state) in ProcessInspector.Children(Environment.ProcessId))
        {
            string commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (state != 'Z' && commandLine.Contains("PosixProcs.Pool.Worker.dll server", StringComparison.Ordinal))
            {
                return pid;
            }
        }

        throw new InvalidOperationException("no fork server among the children");
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false if it never did.</summary>
    private static bool Eventually(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + (long)Limit.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>A task that says it started (by creating a file) and then blocks for a minute.</summary>
    private static Task<int> SubmitBlocking(ProcessPool pool, string marker) =>
        pool.SubmitAsync(static (string path) =>
        {
            File.WriteAllText(path, "started");
            Thread.Sleep(TimeSpan.FromSeconds(60));
            return 0;
        }, marker);

    private static string Marker() => Path.Combine(Path.GetTempPath(), $"posixprocs-pool-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private static string Outcome<T>(Task<T> task)
    {
        try
        {
            return Run(() => task)!.ToString()!;
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
        catch (Exception ex)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }

    [Scenario]
    public static int ForkServerKilled(string[] args)
    {
        using var pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = StartMethod.ForkServer, WorkerCount = 2, MaxRetries = 0 });
        string marker = Marker();

        // The first run marks the file and blocks; a run after the server's death finds the mark.
        Task<string> running = pool.SubmitAsync(static (string path) =>
        {
            if (File.Exists(path))
            {
                return "run again";
            }

            File.WriteAllText(path, "started");
            Thread.Sleep(TimeSpan.FromSeconds(60));
            return "first run finished";
        }, marker);
        Print("started", Eventually(() => File.Exists(marker)));
        int server = ForkServerPid();
        Posix.Kill(new Pid(server), Signal.SIGKILL); // as the OOM killer would
        Print("running", Outcome(running));
        File.Delete(marker);
        Print("after", Run(() => pool.SubmitAsync(static () => 42)));
        Print("newServer", ForkServerPid() != server);
        Print("workers", pool.WorkerPids.Count);
        return 0;
    }

    /// <summary>
    /// Lowers a limit of the running fork server (prlimit), makes it fork (a worker kills
    /// itself), and either raises the limit again (args[1] = recover) or leaves it (fault).
    /// args[0]: nofile (EMFILE) or nproc (EAGAIN; needs an unprivileged user: root ignores it).
    /// </summary>
    [Scenario]
    public static int ServerForkFails(string[] args)
    {
        string resource = args[0];
        bool recover = args[1] == "recover";
        using var pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = StartMethod.ForkServer, WorkerCount = 1 });
        Print("before", Run(() => pool.SubmitAsync(static () => 1)));
        int server = ForkServerPid();
        string original = SoftLimit(server, resource);
        SetSoftLimit(server, resource, resource == "nofile" ? Directory.GetFiles($"/proc/{server}/fd").Length.ToString(CultureInfo.InvariantCulture) : "1");
        try
        {
            Run(() => pool.SubmitAsync(static () =>
            {
                Posix.Kill(Pid.Current, Signal.SIGKILL);
                return 0;
            }));
        }
        catch (WorkerCrashedException)
        {
            Print("crashed", true);
        }

        Task<int> after = pool.SubmitAsync(static () => 42);
        if (recover)
        {
            Print("failuresSeen", Eventually(() => pool.Progress.WorkerStartFailures >= 1));
            SetSoftLimit(server, resource, original);
            Print("after", Outcome(after));
            Print("sameServer", ForkServerPid() == server);
        }
        else
        {
            try
            {
                Run(() => after);
            }
            catch (ProcessPoolFaultedException ex)
            {
                Print("faulted", true);
                Print("reason", (ex.InnerException as PosixException)?.ErrnoName);
                Print("call", (ex.InnerException as PosixException)?.CallName);
            }

            Print("later", Outcome(pool.SubmitAsync(static () => 1)));
            Print("poolFault", pool.Fault?.InnerException?.GetType().Name);
        }

        pool.Dispose();
        Print("disposed", true);
        return 0;
    }

    /// <summary>
    /// Run as a user with no process to spare (RLIMIT_NPROC 1, threads count): the pool's
    /// dispatcher thread cannot be created. Start must say so with a typed error and release
    /// what it had made (the shared region's descriptor).
    /// </summary>
    [Scenario]
    public static int StartWithNoThreadLeft(string[] args)
    {
        int before = SharedRegionDescriptors();
        Print("regionsBefore", before); // Console starts a thread the first time it writes: now, not at the limit
        Posix.SetResourceLimit(Posix.GetResourceLimit(ResourceKind.Processes) with { Soft = 1 });
        try
        {
            ProcessPool.Start(new ProcessPoolOptions { StartMethod = StartMethod.Spawn, WorkerCount = 1 }).Dispose();
            Print("type", "none");
        }
        catch (Exception ex)
        {
            Print("type", ex.GetType().Name);
            Print("error", ex.Message);
        }

        // Assemblies loaded on the way keep descriptors of their own: count the regions only.
        Print("regionsAfter", SharedRegionDescriptors());
        return 0;
    }

    /// <summary>Descriptors of this process that are shared-memory regions (memfd).</summary>
    private static int SharedRegionDescriptors() =>
        Directory.GetFiles("/proc/self/fd").Count(f => new FileInfo(f).LinkTarget?.StartsWith("/memfd:", StringComparison.Ordinal) == true);

    private static string SoftLimit(int pid, string resource)
    {
        string name = resource == "nofile" ? "Max open files" : "Max processes";
        string line = File.ReadLines($"/proc/{pid}/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        return line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }

    private static void SetSoftLimit(int pid, string resource, string soft)
    {
        using ChildProcess prlimit = ChildProcess.Spawn("prlimit", ["--pid", pid.ToString(CultureInfo.InvariantCulture), $"--{resource}={soft}:"]);
        if (!prlimit.Wait(Limit) || prlimit.Status is not WaitStatus.Exited { Code: 0 })
        {
            throw new InvalidOperationException($"prlimit --{resource}={soft}: failed: {prlimit.Status}");
        }
    }

    /// <summary>Run with DOTNET_TieredCompilation=1: the fork server inherits it, and its fork guard refuses every fork.</summary>
    [Scenario]
    public static int ServerForksWhateverTheEnvironment(string[] args)
    {
        using var pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = StartMethod.ForkServer, WorkerCount = 2 });
        Print("result", Run(() => pool.SubmitAsync(static () => Environment.GetEnvironmentVariable("DOTNET_TieredCompilation"))));
        Print("workers", pool.WorkerPids.Count);
        return 0;
    }

    [Scenario]
    public static int TerminateWithBlockedTask(string[] args)
    {
        var pool = ProcessPool.Start(With(args[0], new ProcessPoolOptions { WorkerCount = 1 }));
        string marker = Marker();
        Task<int> blocked = SubmitBlocking(pool, marker);
        Task<int> queued = pool.SubmitAsync(static () => 2);
        Print("started", Eventually(() => File.Exists(marker)));
        File.Delete(marker);
        Pid worker = pool.WorkerPids.Single();
        if (args[1] == "grace")
        {
            Print("finishedInTime", Run(() => pool.ShutdownAsync(TimeSpan.FromMilliseconds(200))));
        }
        else
        {
            Run(() => pool.TerminateAsync());
        }

        Print("blocked", Outcome(blocked));
        Print("queued", Outcome(queued));
        Print("workerGone", ProcessInspector.State(worker.Value) is null);
        Print("zombies", ProcessInspector.Zombies(Environment.ProcessId).Count);
        pool.Dispose();
        return 0;
    }

    [Scenario]
    public static int ShutdownCancelsPipelined(string[] args)
    {
        using var pool = ProcessPool.Start(With(args[0], new ProcessPoolOptions { WorkerCount = 1, PipelineDepth = 16 }));
        string marker = Marker();
        var tasks = Enumerable.Range(0, 20).Select(i => pool.SubmitAsync(static (string path) =>
        {
            File.WriteAllText(path, "started");
            Thread.Sleep(TimeSpan.FromSeconds(1));
            return 1;
        }, marker)).ToList();
        Print("started", Eventually(() => File.Exists(marker)));
        Run(() => pool.ShutdownAsync(cancelPending: true));
        File.Delete(marker);

        // Every task has its outcome; the caller's tasks take it on a continuation: let them settle.
        Run(() => Task.WhenAll(tasks).ContinueWith(static _ => { }, TaskScheduler.Default));
        Print("ran", tasks.Count(t => t.IsCompletedSuccessfully));
        Print("cancelled", tasks.Count(t => t.IsCanceled));
        return 0;
    }

    [Scenario]
    public static int ForkBalances(string[] args)
    {
        using var pool = ProcessPool.Start(With(args[0], new ProcessPoolOptions { WorkerCount = 2 }));
        // A closure made after the workers started: under Fork the pool forks them again for it,
        // one after the other, and the first one back must not keep a full pipeline to itself.
        IReadOnlyList<int> pids = Run(() => pool.MapAsync(Enumerable.Range(0, 20), static _ =>
        {
            Thread.Sleep(500);
            return Pid.Current.Value;
        }, chunkSize: 1));
        int[] counts = pids.GroupBy(p => p).Select(g => g.Count()).OrderDescending().ToArray();
        Print("split", string.Join('/', counts));
        Print("smaller", counts.Length < 2 ? 0 : counts[1]);
        return 0;
    }

    [Scenario]
    public static int DescriptorsExhausted(string[] args)
    {
        ResourceLimit limit = Posix.GetResourceLimit(ResourceKind.OpenFiles);
        Print("soft", 64); // the console opens its descriptors before the limit, as in any program that has printed
        Posix.SetResourceLimit(limit with { Soft = 64 });
        ProcessPool? pool = null;
        try
        {
            pool = ProcessPool.Start(With(args[0], new ProcessPoolOptions { WorkerCount = 2 }));
            Print("outcome", Outcome(pool.SubmitAsync(static () => 1)));
        }
        catch (Exception ex)
        {
            Print("startFailed", ex.GetType().Name);
            Print("message", ex.Message.ReplaceLineEndings(" "));
            Print("emfile", Chain(ex).OfType<PosixException>().Any(p => p.ErrnoName == "EMFILE"));
            Print("posix", Chain(ex).OfType<PosixException>().Any());
            Print("detail", ex.ToString().ReplaceLineEndings(" | "));
        }

        Posix.SetResourceLimit(limit);
        if (pool is not null)
        {
            pool.Dispose();
        }

        Print("disposed", true);
        return 0;
    }

    private static IEnumerable<Exception> Chain(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
        }
    }

    [Scenario]
    public static int ClosureReleased(string[] args)
    {
        using var pool = ProcessPool.Start(With("Fork", new ProcessPoolOptions { WorkerCount = 1 }));
        WeakReference captured = SubmitClosure(pool);
        for (int i = 0; i < 3 && captured.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Print("released", !captured.IsAlive);
        Print("after", Run(() => pool.SubmitAsync(static () => 3)));
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SubmitClosure(ProcessPool pool)
    {
        int[] state = Enumerable.Range(0, 100_000).ToArray();
        Print("sum", Run(() => pool.SubmitAsync(() => state.Sum(x => (long)x))));
        return new WeakReference(state);
    }

    [Scenario]
    public static int UnsupportedType(string[] args)
    {
        using var pool = ProcessPool.Start(With(args[0], new ProcessPoolOptions { WorkerCount = 1 }));
        try
        {
            Run(() => pool.SubmitAsync(static (int x) => new MemoryStream(new byte[x]), 3));
            Print("result", "crossed");
        }
        catch (Exception ex)
        {
            Print("type", ex.GetType().Name);
            Print("namesType", ex.Message.Contains(nameof(MemoryStream), StringComparison.Ordinal));
            Print("namesFix", ex.Message.Contains(nameof(ProcessPoolOptions.Serializer), StringComparison.Ordinal));
            Print("message", ex.Message.ReplaceLineEndings(" "));
        }

        Print("after", Run(() => pool.SubmitAsync(static () => 5)));
        return 0;
    }
}
