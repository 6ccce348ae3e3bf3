using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>Where the fib benchmark computes.</summary>
public enum FibRunner
{
    /// <summary>One thread of this process.</summary>
    Serial,

    /// <summary>Parallel.ForEach on 2 threads of this process (no GIL in .NET).</summary>
    Threads,

    /// <summary>A warm ProcessPool of 2 workers, one task per n.</summary>
    Pool,
}

/// <summary>
/// The seeds' CPU-bound experiment: naive fib over a range of n, serially, on 2 threads, or
/// on a warm pool of 2 workers. Against Python's serial loop and Pool(2). The target
/// is internal: the pool at least 1.5x faster than serial (compare the serial figure).
/// </summary>
public sealed class PoolFibBenchmark : Benchmark
{
    /// <summary>Five values of n in both sizes: 25..29 or 30..34.</summary>
    private const int FibCount = 5;
    private readonly int _first;
    private readonly int _last;
    private readonly FibRunner _runner;
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings: quick runs fib 25..29, full runs 30..34 as the seeds do.</param>
    /// <param name="runner">Serially, on 2 threads, or on a pool of 2 workers.</param>
    public PoolFibBenchmark(BenchmarkSettings settings, FibRunner runner)
        : base(
            runner.ToString().ToLowerInvariant() + ".fib_cpu_bound",
            "naive fib of the seeds' range, " + runner switch
            {
                FibRunner.Serial => "serially in this process",
                FibRunner.Threads => "Parallel.ForEach on 2 threads",
                _ => "on 2 warm pool workers",
            },
            Unit.Seconds,
            FibCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _first = settings.Quick ? 25 : 30;
        _last = settings.Quick ? 29 : 34;
        _runner = runner;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string first = _first.ToString(CultureInfo.InvariantCulture), last = _last.ToString(CultureInfo.InvariantCulture);
        string figure = _runner == FibRunner.Pool ? "py.fib_pool2" : "py.fib_serial";
        return [new(References.Python(settings, "fib.py", figure, Unit.Seconds, OperationsPerRepetition, "--first", first, "--last", last), null)];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        if (_runner == FibRunner.Pool)
        {
            _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2 });
        }
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        int[] ns = Enumerable.Range(_first, _last - _first + 1).ToArray();
        IReadOnlyList<long> results = _runner switch
        {
            FibRunner.Pool => _pool!.MapAsync(ns, Fib, chunkSize: 1).WaitAsync(TimeSpan.FromMinutes(10)).GetAwaiter().GetResult(),
            FibRunner.Threads => OnThreads(ns),
            _ => ns.Select(Fib).ToList(),
        };
        for (int i = 0; i < ns.Length; i++)
        {
            if (results[i] != FibIterative(ns[i]))
            {
                throw new BenchmarkCheckException($"{Name}: fib({ns[i]}) came back as {results[i]}.");
            }
        }

        return new Work(ns.Length, (ulong)results.Sum());
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pool?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static long[] OnThreads(int[] ns)
    {
        long[] results = new long[ns.Length];
        Parallel.For(0, ns.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => results[i] = Fib(ns[i]));
        return results;
    }

    private static long Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);

    private static long FibIterative(int n)
    {
        long a = 0, b = 1;
        for (int i = 0; i < n; i++)
        {
            (a, b) = (b, a + b);
        }

        return a;
    }
}
