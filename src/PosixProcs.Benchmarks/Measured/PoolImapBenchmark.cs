using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A lazy ordered map (<see cref="ProcessPool.MapOrderedAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, int, int?, CancellationToken)"/>)
/// of trivial tasks, one item per chunk and the default look-ahead (workers × PipelineDepth = 32 chunks), with
/// a warm pool of 2 workers; every result is checked in order. Against Python's Pool.imap
/// with its default chunksize of 1. No target: the ratio is context.
/// </summary>
public sealed class PoolImapBenchmark : Benchmark
{
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public PoolImapBenchmark(BenchmarkSettings settings)
        : base("pool.imap_chunksize1", "lazy ordered map (imap), 1 item per chunk, 2 workers", Unit.TasksPerSecond,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(20000, 5000))
    {
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "At most 32 chunks are in flight (the input is read lazily); Python's imap reads its whole input ahead.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [new(References.Python(settings, "pool.py", "py.pool_imap_chunksize1", Unit.TasksPerSecond, settings.Size(2000, 300)), null)];
    }

    /// <inheritdoc/>
    public override void Start() => _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2 });

    /// <inheritdoc/>
    protected override Work RunRepetition() => Consume().WaitAsync(TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();

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

    private async Task<Work> Consume()
    {
        long expected = 1;
        long sum = 0;
        await foreach (long result in _pool!.MapOrderedAsync(Items(OperationsPerRepetition), Increment).ConfigureAwait(false))
        {
            if (result != expected)
            {
                throw new BenchmarkCheckException($"{Name}: result {expected - 1} came back as {result}.");
            }

            sum += result;
            expected++;
        }

        return new Work(expected - 1, (ulong)sum);
    }

    private static IEnumerable<long> Items(long count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
