using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>
/// An ordered map over 1,000,000 small items with a warm pool of 2 workers, default chunking
/// (items / (4 x workers), as Python's). Against Python's Pool.map over the same items.
/// Target (issue 5): at least 10x.
/// </summary>
public sealed class PoolMapItemsBenchmark : Benchmark
{
    private const int Items = 1_000_000;
    private readonly int[] _items = Enumerable.Range(0, Items).ToArray();
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings (the size is fixed by the issue).</param>
    public PoolMapItemsBenchmark(BenchmarkSettings settings)
        : base("pool.map_1M_items", "map over 1,000,000 small items, 2 workers", Unit.ItemsPerSecond, Items)
    {
        ArgumentNullException.ThrowIfNull(settings);
    }

    /// <inheritdoc/>
    public override string Remarks => "int arrays cross as raw bytes: one copy into the ring and one out, per chunk.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [new(References.Python(settings, "pool.py", "py.pool_map_1M_items", Unit.ItemsPerSecond, Items, "--items", "1000000"), Target.AtLeast(10, "project goal"))];
    }

    /// <inheritdoc/>
    public override void Start() => _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2 });

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        IReadOnlyList<int> results = _pool!.MapAsync(_items, Increment).WaitAsync(TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
        long sum = 0;
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i] != i + 1)
            {
                throw new BenchmarkCheckException($"{Name}: item {i} came back as {results[i]}.");
            }

            sum += results[i];
        }

        return new Work(results.Count, (ulong)sum);
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

    private static int Increment(int x) => x + 1;
}
