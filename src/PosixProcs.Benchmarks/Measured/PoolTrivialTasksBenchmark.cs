using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Trivial-task throughput of a warm <see cref="ProcessPool"/> with 2 workers: each task is
/// submitted on its own (<see cref="ProcessPool.SubmitAsync{TArg, TResult}"/>) and every
/// result is awaited and checked. Against Python's ProcessPoolExecutor.submit and
/// Pool.map(chunksize=1) doing the same. Targets (issue 5): at least 30x and 10x.
/// </summary>
public sealed class PoolTrivialTasksBenchmark : Benchmark
{
    private readonly StartMethod _method;
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="method">How the pool starts its workers.</param>
    public PoolTrivialTasksBenchmark(BenchmarkSettings settings, StartMethod method)
        : base(
            "pool.trivial_tasks" + (method == StartMethod.ForkServer ? string.Empty : "_" + method.ToString().ToLowerInvariant()),
            string.Create(CultureInfo.InvariantCulture, $"trivial task submit -> result, 2 workers ({method})"),
            Unit.TasksPerSecond,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(20000, 5000))
    {
        _method = method;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Tasks cross through shared-memory rings, up to 16 queued per worker; Python's executors send each task through pipes with pickle.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        long tasks = settings.Size(2000, 300);
        return _method != StartMethod.ForkServer
            ? []
            :
            [
                new(References.Python(settings, "pool.py", "py.ppe_submit", Unit.TasksPerSecond, tasks), Target.AtLeast(30, "project goal")),
                new(References.Python(settings, "pool.py", "py.pool_map_chunksize1", Unit.TasksPerSecond, tasks), Target.AtLeast(10, "project goal")),
            ];
    }

    /// <inheritdoc/>
    public override void Start() => _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2, StartMethod = _method });

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ProcessPool pool = _pool!;
        var tasks = new Task<long>[OperationsPerRepetition];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = pool.SubmitAsync(Increment, (long)i);
        }

        long[] results = Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
        long expected = (tasks.Length * (long)(tasks.Length - 1) / 2) + tasks.Length;
        long sum = results.Sum();
        return sum == expected
            ? new Work(OperationsPerRepetition, (ulong)sum)
            : throw new BenchmarkCheckException($"{Name}: results sum to {sum}, expected {expected}.");
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

    private static long Increment(long x) => x + 1;
}
