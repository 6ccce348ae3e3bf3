using System.Globalization;
using System.Runtime.CompilerServices;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>Scenarios for the Python-shaped surface: lazy maps, blocking forms, starmaps, initializer arguments, close/join/terminate.</summary>
public static class PoolApiScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static string _initializedWith = "";

    private static void Print(string key, object value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));

    private static T Run<T>(Func<Task<T>> body) => body().WaitAsync(Limit).GetAwaiter().GetResult();

    private static ProcessPoolOptions With(string[] args, ProcessPoolOptions options)
    {
        options.StartMethod = Enum.Parse<StartMethod>(args[0]);
        return options;
    }

    /// <summary>Counts how far the pool has read an endless input.</summary>
    private sealed class EndlessInput
    {
        public int Read { get; private set; }

        public IEnumerable<int> Items()
        {
            for (int i = 0; ; i++)
            {
                Read = i + 1;
                yield return i;
            }
        }

        public async IAsyncEnumerable<int> ItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (int i = 0; ; i++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                Read = i + 1;
                yield return i;
            }
        }
    }

    /// <summary>args: method, ordered|unordered, sync|async, chunk size, window (0: the default).</summary>
    [Scenario]
    public static int LazyMapOverEndlessInput(string[] args)
    {
        bool ordered = args[1] == "ordered";
        bool asyncInput = args[2] == "async";
        int chunkSize = int.Parse(args[3], CultureInfo.InvariantCulture);
        int? window = args[4] == "0" ? null : int.Parse(args[4], CultureInfo.InvariantCulture);
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        var input = new EndlessInput();
        List<long> taken = Run(async () =>
        {
            var results = new List<long>();
            IAsyncEnumerable<long> map = (ordered, asyncInput) switch
            {
                (true, false) => pool.MapOrderedAsync(input.Items(), static x => (long)x * x, chunkSize, window),
                (true, true) => pool.MapOrderedAsync(input.ItemsAsync(), static x => (long)x * x, chunkSize, window),
                (false, false) => pool.MapUnorderedAsync(input.Items(), static x => (long)x * x, chunkSize, window),
                (false, true) => pool.MapUnorderedAsync(input.ItemsAsync(), static x => (long)x * x, chunkSize, window),
            };
            await foreach (long value in map)
            {
                results.Add(value);
                if (results.Count == 1000)
                {
                    break;
                }
            }

            return results;
        });
        Print("taken", taken.Count);
        Print("read", input.Read);
        Print("inOrder", taken.SequenceEqual(Enumerable.Range(0, 1000).Select(x => (long)x * x)));
        Print("distinct", taken.Distinct().Count());
        Print("allSquares", taken.All(v => Math.Sqrt(v) % 1 == 0));
        Print("pendingAfter", pool.Progress.Pending);
        Print("after", Run(() => pool.SubmitAsync(static () => 42)));
        return 0;
    }

    /// <summary>
    /// Leaving early while chunks run: the running ones finish in their workers (none is
    /// killed: each writes "started" then "finished" to a file), the queued ones never run, and
    /// disposal returns with nothing pending.
    /// </summary>
    [Scenario]
    public static int LazyMapLeftWhileChunksRun(string[] args)
    {
        // One file per mark in a directory: two workers appending to one file lose lines
        // (.NET opens for append without O_APPEND and pwrite()s at the length it saw on opening).
        string marks = Directory.CreateTempSubdirectory($"poolapi-marks-{Environment.ProcessId}-").FullName;
        Environment.SetEnvironmentVariable("POOLAPI_MARKS", marks); // workers of every start method inherit it
        try
        {
            using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
            int first = Run(async () =>
            {
                await foreach (int value in pool.MapOrderedAsync(Enumerable.Range(0, 1_000_000), static x =>
                {
                    if (x > 0)
                    {
                        string folder = Environment.GetEnvironmentVariable("POOLAPI_MARKS")!;
                        File.WriteAllText(Path.Combine(folder, $"started.{x}"), string.Empty);
                        Thread.Sleep(300);
                        File.WriteAllText(Path.Combine(folder, $"finished.{x}"), string.Empty);
                    }

                    return x;
                }, chunkSize: 1, maxChunksInFlight: 4))
                {
                    // Leave only once a later chunk is running, so there is one to drain.
                    var deadline = DateTime.UtcNow + Limit;
                    while (Directory.GetFiles(marks, "started.*").Length == 0 && DateTime.UtcNow < deadline)
                    {
                        await Task.Delay(10);
                    }

                    return value;
                }

                return -1;
            });
            List<string> Marked(string kind) =>
                [.. Directory.GetFiles(marks, $"{kind}.*").Select(f => Path.GetExtension(f)).Order(StringComparer.Ordinal)];
            List<string> started = Marked("started");
            List<string> finished = Marked("finished");
            Print("first", first);
            Print("startedAny", started.Count > 0);
            Print("allFinished", started.SequenceEqual(finished));
            Print("pendingAfter", pool.Progress.Pending);
            Print("after", Run(() => pool.SubmitAsync(static () => 7)));
        }
        finally
        {
            Directory.Delete(marks, recursive: true);
        }

        return 0;
    }

    /// <summary>A failing chunk surfaces in order; a cancelled token ends the enumeration; the pool carries on.</summary>
    [Scenario]
    public static int LazyMapFailureAndCancellation(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        var before = new List<int>();
        try
        {
            Run(async () =>
            {
                await foreach (int value in pool.MapOrderedAsync(Enumerable.Range(0, 100), static x => x == 50 ? throw new FormatException("fifty") : x))
                {
                    before.Add(value);
                }

                return 0;
            });
            Print("failure", "none");
        }
        catch (TaskFaultedException ex)
        {
            Print("failure", ex.RemoteType);
        }

        Print("beforeFailure", before.Count);
        Print("beforeInOrder", before.SequenceEqual(Enumerable.Range(0, 50)));

        using var cancel = new CancellationTokenSource();
        int received = 0;
        try
        {
            Run(async () =>
            {
                await foreach (int value in pool.MapOrderedAsync(Enumerable.Range(0, 1_000_000), static x => x, cancellationToken: cancel.Token))
                {
                    if (++received == 10)
                    {
                        await cancel.CancelAsync();
                    }
                }

                return 0;
            });
            Print("cancelled", false);
        }
        catch (OperationCanceledException)
        {
            Print("cancelled", true);
        }

        Print("received", received);
        Print("pendingAfter", pool.Progress.Pending);
        IReadOnlyList<int> finite = Run(async () =>
        {
            var list = new List<int>();
            await foreach (int value in pool.MapOrderedAsync(Enumerable.Range(0, 100), static x => x + 1, chunkSize: 7))
            {
                list.Add(value);
            }

            return list;
        });
        Print("finiteInOrder", finite.SequenceEqual(Enumerable.Range(1, 100)));
        return 0;
    }

    [Scenario]
    public static int BlockingFormsAndStarMaps(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        Print("apply", pool.Apply(static () => 6 * 7));
        Print("applyArg", pool.Apply(static (string s) => s.ToUpperInvariant(), "abc"));
        Print("map", string.Join(',', pool.Map(Enumerable.Range(0, 5), static x => x * 10)));
        try
        {
            pool.Apply(static (int x) => x == 1 ? throw new FormatException("one") : x, 1);
            Print("applyThrows", "none");
        }
        catch (TaskFaultedException ex)
        {
            Print("applyThrows", ex.RemoteType);
        }

        Print("star1", string.Join(',', Run(() => pool.StarMapAsync(new[] { ValueTuple.Create(2), ValueTuple.Create(3) }, static (int x) => x * x))));
        Print("star2", string.Join(',', Run(() => pool.StarMapAsync(new[] { (1, "a"), (2, "b") }, static (int n, string s) => new string(s[0], n)))));
        Print("star3", string.Join(',', Run(() => pool.StarMapAsync(new[] { (1, 2L, "x"), (3, 4L, "y") }, static (int a, long b, string c) => $"{c}{a + b}"))));
        Print("star4", string.Join(',', Run(() => pool.StarMapAsync(
            Enumerable.Range(0, 50).Select(i => (i, (double)i, i % 2 == 0, $"s{i}")),
            static (int a, double b, bool even, string s) => $"{s}:{a + b}:{(even ? 'e' : 'o')}",
            chunkSize: 7)).Skip(48)));
        return 0;
    }

    /// <summary>args: method, one|two.</summary>
    [Scenario]
    public static int InitializerWithArgumentsInEachWorker(string[] args)
    {
        WorkerInitializer initializer = args[1] == "one"
            ? WorkerInitializer.Create(static (string s) => _initializedWith = $"{s}@{Pid.Current.Value}", "model.bin")
            : WorkerInitializer.Create(static (string s, int[] n) => _initializedWith = $"{s}{n.Sum()}@{Pid.Current.Value}", "sum", new[] { 1, 2, 3 });
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2, InitializerWithArguments = initializer }));
        IReadOnlyList<string> seen = Run(() => pool.MapAsync(Enumerable.Range(0, 10), static _ => _initializedWith, chunkSize: 1));
        Print("values", string.Join(',', seen.Select(s => s.Split('@')[0]).Distinct()));
        Print("ownPid", seen.All(s => s.Split('@') is [_, string pid] && pool.WorkerPids.Any(p => p.Value.ToString(CultureInfo.InvariantCulture) == pid)));
        Print("inParent", _initializedWith.Length);
        return 0;
    }

    [Scenario]
    public static int CloseThenJoin(string[] args)
    {
        var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        try
        {
            pool.Join();
            Print("joinBeforeClose", "none");
        }
        catch (InvalidOperationException)
        {
            Print("joinBeforeClose", "InvalidOperationException");
        }

        List<Task<int>> tasks = Enumerable.Range(0, 20).Select(i => pool.SubmitAsync(static (int x) =>
        {
            Thread.Sleep(10);
            return x * 2;
        }, i)).ToList();
        IReadOnlyList<Pid> workers = pool.WorkerPids;
        pool.Close();
        try
        {
            pool.SubmitAsync(static () => 1);
            Print("submitAfterClose", "accepted");
        }
        catch (ObjectDisposedException)
        {
            Print("submitAfterClose", "ObjectDisposedException");
        }

        pool.JoinAsync().WaitAsync(Limit).GetAwaiter().GetResult();
        Print("sum", Run(async () => (await Task.WhenAll(tasks)).Sum()));
        Print("workersLeft", WorkersLeft(workers));
        Print("zombies", ProcessInspector.Zombies(Environment.ProcessId).Count);
        pool.Join(); // joining again returns at once
        pool.Dispose();
        return 0;
    }

    [Scenario]
    public static int TerminateThenJoin(string[] args)
    {
        using var pool = ProcessPool.Start(With(args, new ProcessPoolOptions { WorkerCount = 2 }));
        Task<int> endless = pool.SubmitAsync(static () =>
        {
            Thread.Sleep(Timeout.Infinite);
            return 0;
        });
        Task<int> queued = pool.SubmitAsync(static () => 1);
        IReadOnlyList<Pid> workers = pool.WorkerPids;
        pool.Terminate();
        pool.Join();
        Print("endless", Outcome(endless));
        Print("workersLeft", WorkersLeft(workers));
        Print("zombies", ProcessInspector.Zombies(Environment.ProcessId).Count);
        Print("queuedSettled", Outcome(queued) is "cancelled" or "1");
        return 0;
    }

    private static string Outcome(Task<int> task)
    {
        try
        {
            return task.WaitAsync(Limit).GetAwaiter().GetResult().ToString(CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException)
        {
            return "cancelled";
        }
    }

    /// <summary>
    /// The workers still there once they had a bounded time to go: Join stops them with a grace
    /// (2 s, then SIGKILL); under ForkServer their parent is the server, which reaps them and says
    /// so, and on a saturated machine a worker killed at the end of the grace can still be
    /// dying when Join returns. A leaked worker stays, and is counted.
    /// </summary>
    private static int WorkersLeft(IReadOnlyList<Pid> workers)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while (workers.Any(p => ProcessInspector.State(p.Value) is not null) && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        return workers.Count(p => ProcessInspector.State(p.Value) is not null);
    }
}
