using System.Globalization;
using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>Pool scenarios: the pool forks, so each runs in a single-threaded helper process.</summary>
public static class PoolScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static int _initialized;

    private static void Print(string key, object value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));

    private static T Run<T>(Func<Task<T>> body) => body().WaitAsync(Limit).GetAwaiter().GetResult();

    /// <summary>Options for the start method named in args[0], the rest as given.</summary>
    private static ProcessPoolOptions With(string[] args, ProcessPoolOptions options)
    {
        options.StartMethod = Enum.Parse<StartMethod>(args[0]);
        return options;
    }

    [Scenario]
    public static int ManySmallTasks(string[] args)
    {
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        long sum = Run(async () =>
        {
            var tasks = new Task<long>[count];
            for (int i = 0; i < count; i++)
            {
                tasks[i] = pool.SubmitAsync(static (int x) => (long)x * 2, i);
            }

            return (await Task.WhenAll(tasks)).Sum();
        });
        Print("sum", sum);
        Print("expected", (long)count * (count - 1));
        return 0;
    }

    [Scenario]
    public static int OrderedAndUnorderedMaps(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        IReadOnlyList<int> squares = Run(() => pool.MapAsync(Enumerable.Range(0, 10_000), static x => x * x, chunkSize: 7));
        Print("ordered", squares.SequenceEqual(Enumerable.Range(0, 10_000).Select(x => x * x)));
        List<int> unordered = Run(async () =>
        {
            var list = new List<int>();
            await foreach (int value in pool.MapUnorderedAsync(Enumerable.Range(0, 200), static x =>
            {
                Thread.Sleep((200 - x) % 7);
                return x + 1;
            }))
            {
                list.Add(value);
            }

            return list;
        });
        Print("unorderedComplete", unordered.Order().SequenceEqual(Enumerable.Range(1, 200)));
        IReadOnlyList<string> star = Run(() => pool.StarMapAsync(new[] { (1, "a"), (2, "b") }, static (int n, string s) => new string(s[0], n)));
        Print("starmap", string.Join(',', star));
        return 0;
    }

    [Scenario]
    public static int WorkerKilledMidTask(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        var tasks = Enumerable.Range(0, 20).Select(i => pool.SubmitAsync(static (int x) =>
        {
            if (x == 7)
            {
                Posix.Kill(Pid.Current, Signal.SIGKILL);
            }

            return x;
        }, i)).ToList();
        int ok = 0;
        foreach (Task<int> task in tasks)
        {
            try
            {
                Run(() => task);
                ok++;
            }
            catch (WorkerCrashedException ex)
            {
                Print("crashed", ex.Status);
            }
        }

        Print("ok", ok);
        Print("after", Run(() => pool.SubmitAsync(static () => 42)));
        Print("workers", pool.WorkerPids.Count);
        return 0;
    }

    [Scenario]
    public static int PoisonTaskRetried(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2, MaxRetries = 2 }));
        try
        {
            Run(() => pool.SubmitAsync(static () =>
            {
                Environment.FailFast("poison");
                return 0;
            }));
        }
        catch (WorkerCrashedException ex)
        {
            Print("attempts", ex.Attempts);
            Print("status", ex.Status);
        }

        Print("after", Run(() => pool.SubmitAsync(static () => 1)));
        return 0;
    }

    [Scenario]
    public static int TimeoutKillsAndReplaces(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 1, TaskTimeout = TimeSpan.FromMilliseconds(300) }));
        Pid before = pool.WorkerPids.Single();
        try
        {
            Run(() => pool.SubmitAsync(static () =>
            {
                Thread.Sleep(TimeSpan.FromSeconds(60));
                return 0;
            }));
        }
        catch (TimeoutException)
        {
            Print("timedOut", true);
        }

        Print("after", Run(() => pool.SubmitAsync(static () => 5)));
        Print("replaced", pool.WorkerPids.Single() != before);
        return 0;
    }

    [Scenario]
    public static int RecyclesAfterMaxTasks(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2, MaxTasksPerWorker = 5 }));
        IReadOnlyList<int> pids = Run(() => pool.MapAsync(Enumerable.Range(0, 40), static _ => Pid.Current.Value, chunkSize: 1));
        Print("distinctPids", pids.Distinct().Count());
        Print("maxPerPid", pids.GroupBy(p => p).Max(g => g.Count()));
        return 0;
    }

    [Scenario]
    public static int CancellationKillsRunningAndDropsQueued(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 1 }));
        using var cts = new CancellationTokenSource();
        Task<int> running = pool.SubmitAsync(static () =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(60));
            return 1;
        }, cts.Token);
        Task<int> queued = pool.SubmitAsync(static () => 2, cts.Token);
        Thread.Sleep(200);
        cts.Cancel();
        Print("running", Outcome(running));
        Print("queued", Outcome(queued));
        Print("after", Run(() => pool.SubmitAsync(static () => 3)));
        return 0;
    }

    private static string Outcome(Task<int> task)
    {
        try
        {
            return Run(() => task).ToString(CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
    }

    [Scenario]
    public static int UserExceptionComesBack(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 1 }));
        try
        {
            Run(() => pool.SubmitAsync(static () => int.Parse("not a number", CultureInfo.InvariantCulture)));
        }
        catch (TaskFaultedException ex)
        {
            Print("type", ex.RemoteType);
            Print("hasStack", ex.RemoteStackTrace.Contains("Int32.Parse", StringComparison.Ordinal) || ex.RemoteStackTrace.Contains("Number.", StringComparison.Ordinal));
        }

        return 0;
    }

    [Scenario]
    public static int ClosuresRefusedWithoutFork(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 1 }));
        int captured = 5;
        try
        {
            Run(() => pool.SubmitAsync(() => captured * 2));
            Print("refused", false);
        }
        catch (ArgumentException ex)
        {
            Print("refused", ex.Message.Contains("captures state", StringComparison.Ordinal));
        }

        Print("staticStillWorks", Run(() => pool.SubmitAsync(static () => 7)));
        return 0;
    }

    [Scenario]
    public static int ClosuresCaptureState(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        // Created after the workers were forked: the pool forks them again to see it.
        int[] table = Enumerable.Range(0, 1000).Select(i => i * 3).ToArray();
        string label = "sum";
        string result = Run(() => pool.SubmitAsync(() => $"{label}:{table.Sum()}"));
        Print("closure", result);
        IReadOnlyList<int> looked = Run(() => pool.MapAsync(new[] { 1, 10, 999 }, i => table[i]));
        Print("lookups", string.Join(',', looked));
        return 0;
    }

    [Scenario]
    public static int InitializerRunsInEachWorker(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2, Initializer = static () => _initialized = Pid.Current.Value }));
        IReadOnlyList<bool> same = Run(() => pool.MapAsync(Enumerable.Range(0, 10), static _ => _initialized == Pid.Current.Value, chunkSize: 1));
        Print("initialized", same.All(x => x));
        Print("inParent", _initialized);
        return 0;
    }

    [Scenario]
    public static int LargePayloadsRoundTrip(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2, RingCapacity = 1 << 16 }));
        byte[] big = new byte[args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3_000_000];
        new Random(7).NextBytes(big);
        byte[] echoed = Run(() => pool.SubmitAsync(
            static (byte[] b) =>
            {
                byte[] reversed = (byte[])b.Clone();
                Array.Reverse(reversed);
                return reversed;
            },
            big));
        Array.Reverse(echoed);
        Print("same", echoed.AsSpan().SequenceEqual(big));
        return 0;
    }

    [Scenario]
    public static int GarbageCollectionInWorkers(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        IReadOnlyList<int> collections = Run(() => pool.MapAsync(Enumerable.Range(0, 8), static i =>
        {
            var garbage = new List<byte[]>();
            for (int n = 0; n < 200; n++)
            {
                garbage.Add(new byte[100_000]);
            }

            GC.Collect();
            return GC.CollectionCount(0) > 0 ? garbage.Count : -1;
        }, chunkSize: 1));
        Print("collected", collections.All(c => c == 200));
        return 0;
    }

    [Scenario]
    public static int WorkerHangsWhileStarting(string[] args)
    {
        // The first worker to start hangs in its initializer, as a child stuck on a lock
        // inherited from the fork would: the pool must not wait for it.
        using var region = SharedMemoryRegion.Create(Posix.PageSize);
        var starts = new SharedValue<int>(region, 0);
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions
        {
            WorkerCount = 1,
            // Long enough for a healthy fork to reach Ready on a saturated machine (load 27 here
            // killed a second, healthy worker at 500 ms), short enough to keep the test quick.
            WorkerStartTimeout = TimeSpan.FromSeconds(3),
            Initializer = () =>
            {
                if (starts.Add(1) == 1)
                {
                    Thread.Sleep(Timeout.Infinite);
                }
            },
        }));
        IReadOnlyList<int> results = Run(() => pool.MapAsync(Enumerable.Range(0, 10), static x => x * 2, chunkSize: 1));
        Print("results", string.Join(',', results));
        Print("starts", starts.Read());
        Print("workerStarts", pool.Progress.WorkerStarts);
        return 0;
    }

    [Scenario]
    public static int PoolThenSleep(string[] args)
    {
        var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        Print("workers", string.Join(',', pool.WorkerPids.Select(p => p.Value)));
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromSeconds(60));
        pool.Dispose();
        return 0;
    }

    [Scenario]
    public static int ShutdownLeavesNothing(string[] args)
    {
        // The first pool and the first Console write trigger one-time runtime initialisation
        // (Console's descriptors, the runtime's signal pipe); later pools must cost nothing.
        Print("warmUpWorkers", RunOnePool(args).Count);
        IReadOnlyList<int> before = ProcessInspector.OpenDescriptors();
        int fdsBefore = before.Count;
        IReadOnlyList<Pid> workers = [];
        for (int i = 0; i < 3; i++)
        {
            workers = RunOnePool(args);
        }

        Print("workersLeft", workers.Count(p => ProcessInspector.State(p.Value) is not null));
        Print("zombies", ProcessInspector.Zombies(Environment.ProcessId).Count);
        int growth = ProcessInspector.OpenDescriptorCount() - fdsBefore;
        Print("fdGrowth", growth);
        if (growth != 0)
        {
            Print("newFds", string.Join(' ', ProcessInspector.OpenDescriptors().Except(before).Select(fd => $"{fd}->{new FileInfo($"/proc/self/fd/{fd}").LinkTarget}")));
        }

        return 0;
    }

    private static IReadOnlyList<Pid> RunOnePool(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        Run(() => pool.MapAsync(Enumerable.Range(0, 100), static x => x));
        return pool.WorkerPids;
    }
}
