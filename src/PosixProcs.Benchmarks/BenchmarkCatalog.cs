using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Every benchmark and reference suite of <c>posixprocs bench</c>, in run order. Benchmarks
/// that fork managed code come first: System.Diagnostics.Process (a reference of the
/// spawn benchmark) registers the runtime's SIGCHLD handling, so it runs after them.
/// When the ring, pool or duplex connection lands, its benchmark class goes into
/// <see cref="Benchmarks"/> and its <see cref="PendingTarget"/>s leave <see cref="Suites"/>.
/// </summary>
public static class BenchmarkCatalog
{
    private const string Ring = "a SharedQueue benchmark on the PosixProcs side";

    /// <summary>The benchmarks of code that exists, selected by <see cref="BenchmarkSettings.Filter"/>.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <returns>Factories, so that nothing is allocated or forked for benchmarks that are filtered out.</returns>
    public static IReadOnlyList<CatalogEntry> Benchmarks(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        CatalogEntry[] all =
        [
            new("posix.fork_exit_wait", () => new ForkExitWaitBenchmark(settings)),
            new("posix.pipe_pingpong_64B", () => new PipePingPongBenchmark(settings, 64)),
            new("posix.pipe_pingpong_1B", () => new PipePingPongBenchmark(settings, 1)),
            new("posix.pipe_throughput_64KiB", () => new PipeThroughputBenchmark(settings)),
            new("posix.futex_pingpong", () => new FutexPingPongBenchmark(settings)),
            new("duplex.pingpong_64B", () => new DuplexPingPongBenchmark(settings, 64)),
            new("ring.mpsc_64B_2_producers", () => new RingMpscBenchmark(settings)),
            new("ring.pingpong_spin", () => new RingPingPongBenchmark(settings, spin: true)),
            new("ring.pingpong_futex", () => new RingPingPongBenchmark(settings, spin: false)),
            .. RingThroughputBenchmark.Modes.Select(mode => new CatalogEntry("ring.spsc_64B_" + mode.Replace('-', '_'), () => new RingThroughputBenchmark(settings, mode))),
            new("pool.trivial_tasks", () => new PoolTrivialTasksBenchmark(settings, Pool.StartMethod.ForkServer)),
            new("pool.trivial_tasks_fork", () => new PoolTrivialTasksBenchmark(settings, Pool.StartMethod.Fork)),
            new("pool.map_1M_items", () => new PoolMapItemsBenchmark(settings)),
            new("pool.imap_chunksize1", () => new PoolImapBenchmark(settings)),
            new("pool.worker_start_join_fork", () => new PoolWorkerStartBenchmark(settings, Pool.StartMethod.Fork)),
            new("pool.worker_start_join_forkserver", () => new PoolWorkerStartBenchmark(settings, Pool.StartMethod.ForkServer)),
            new("pool.worker_start_join_spawn", () => new PoolWorkerStartBenchmark(settings, Pool.StartMethod.Spawn)),
            new("serial.fib_cpu_bound", () => new PoolFibBenchmark(settings, FibRunner.Serial)),
            new("threads.fib_cpu_bound", () => new PoolFibBenchmark(settings, FibRunner.Threads)),
            new("pool.fib_cpu_bound", () => new PoolFibBenchmark(settings, FibRunner.Pool)),
            new("pipeline.cat3_throughput", () => new PipelineThroughputBenchmark(settings)),
            new("posix.spawn_true", () => new SpawnTrueBenchmark(settings)),
            new("run.capture_echo", () => new RunCaptureBenchmark(settings)),
            new("init.start_true", () => new InitStartBenchmark(settings)),
            new("init.rss_program_sleeping", () => new InitMemoryBenchmark(settings)),
            new("runner.jobs_true", () => new RunnerJobsBenchmark(settings, echo: false)),
            new("runner.jobs_echo", () => new RunnerJobsBenchmark(settings, echo: true)),
        ];
        return [.. all.Where(b => settings.Selects(b.Name))];
    }

    /// <summary>The references whose PosixProcs side is still to be built, with the issues' targets, selected by the filter.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <returns>The suites.</returns>
    public static IReadOnlyList<ReferenceSuite> Suites(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        long messages = settings.Size(20000, 5000);
        var suites = new List<ReferenceSuite>
        {
            new("python.queue", References.PythonCommand(settings, "pipe_queue.py", messages, "--only", "py.queue_throughput"),
            [
                new("py.queue_throughput", Unit.MessagesPerSecond, messages, "ring.queue_throughput", "small messages to another process", null, Ring),
            ]),
        };
        return [.. suites.Where(s => settings.Selects(s.Name) || s.Targets.Any(t => settings.Selects(t.Measured)))];
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
