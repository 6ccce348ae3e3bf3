using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Worker start + join for one start method: a warm pool of one worker that is replaced
/// after every task (MaxTasksPerWorker = 1), so each task costs stopping a worker, starting
/// the next and one round trip. Against Python's Process start + join with the same start
/// method. Targets (issue 5): at most 0.5x Python for Fork, 0.2x for ForkServer.
/// </summary>
public sealed class PoolWorkerStartBenchmark : Benchmark
{
    private readonly StartMethod _method;
    private ProcessPool? _pool;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="method">The start method measured.</param>
    public PoolWorkerStartBenchmark(BenchmarkSettings settings, StartMethod method)
        : base(
            "pool.worker_start_join_" + method.ToString().ToLowerInvariant(),
            string.Create(CultureInfo.InvariantCulture, $"worker start + join, {method}"),
            Unit.Milliseconds,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(method == StartMethod.Spawn ? 5 : 20, 3))
    {
        _method = method;
    }

    /// <inheritdoc/>
    public override string Remarks => _method switch
    {
        StartMethod.Fork => "fork of this (large) process; the pool compiles the worker's code before forking, so children do not.",
        StartMethod.ForkServer => "fork of the small, warm worker host; the request and the death report cross a socket pair.",
        _ => "a fresh dotnet process per worker: runtime start-up with tiered compilation off dominates.",
    };

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string python = _method == StartMethod.ForkServer ? "forkserver" : _method.ToString().ToLowerInvariant();
        Target? target = _method switch
        {
            StartMethod.Fork => Target.AtMost(0.5, "project goal"),
            StartMethod.ForkServer => Target.AtMost(0.2, "project goal"),
            _ => null,
        };
        return [new(References.Python(settings, "process_start.py", "py.process_start_join_" + python, Unit.Milliseconds, settings.Size(10, 3)), target)];
    }

    /// <inheritdoc/>
    public override void Start() => _pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 1, StartMethod = _method, MaxTasksPerWorker = 1 });

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        var pids = new HashSet<int>();
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            pids.Add(_pool!.SubmitAsync(CurrentPid).WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult());
        }

        return pids.Count == OperationsPerRepetition
            ? new Work(OperationsPerRepetition, (ulong)pids.Sum(p => (long)p))
            : throw new BenchmarkCheckException($"{Name}: {OperationsPerRepetition} tasks ran in only {pids.Count} distinct workers.");
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

    private static int CurrentPid() => Pid.Current.Value;
}
