using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>
/// The seeds' CPU-bound experiment: naive fib over a range of n, serially in this process
/// or on a warm pool of 2 workers (one task per n). Against Python's serial loop and Pool(2).
/// The target is internal: the pool at least 1.5x faster than serial (see the
/// remarks for the measured speed-up).
/// </summary>
public sealed class PoolFibBenchmark : Benchmark
{
    /// <summary>Five values of n in both sizes: 25..29 or 30..34.</summary>
    private const int FibCount = 5;
    private readonly int _first;
    private readonly int _last;
    private readonly bool _parallel;
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings: quick runs fib 25..29, full runs 30..34 as the seeds do.</param>
    /// <param name="parallel">On a pool of 2 workers (true) or serially in this process.</param>
    public PoolFibBenchmark(BenchmarkSettings settings, bool parallel)
        : base(
            parallel ? "pool.fib_cpu_bound" : "serial.fib_cpu_bound",
            parallel ? "naive fib of the seeds' range on 2 warm workers" : "naive fib of the seeds' range, serially in this process",
            Unit.Seconds,
            FibCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _first = settings.Quick ? 25 : 30;
        _last = settings.Quick ? 29 : 34;
        _parallel = parallel;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string first = _first.ToString(CultureInfo.InvariantCulture), last = _last.ToString(CultureInfo.InvariantCulture);
        string figure = _parallel ? "py.fib_pool2" : "py.fib_serial";
        return [new(References.Python(settings, "fib.py", figure, Unit.Seconds, OperationsPerRepetition, "--first", first, "--last", last), null)];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        if (_parallel)
        {
            _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2 });
        }
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        int[] ns = Enumerable.Range(_first, _last - _first + 1).ToArray();
        IReadOnlyList<long> results = _parallel
            ? _pool!.MapAsync(ns, Fib, chunkSize: 1).WaitAsync(TimeSpan.FromMinutes(10)).GetAwaiter().GetResult()
            : ns.Select(Fib).ToList();
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
