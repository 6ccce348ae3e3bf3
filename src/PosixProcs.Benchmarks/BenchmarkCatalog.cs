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
    private const string Pool = "the pool (issue 5)";
    private const string Ring = "the shared-memory ring (issue 4)";
    private const string Duplex = "the duplex connection (issue 3)";

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
            new("posix.spawn_true", () => new SpawnTrueBenchmark(settings)),
        ];
        return [.. all.Where(b => settings.Selects(b.Name))];
    }

    /// <summary>The references whose PosixProcs side is still to be built, with the issues' targets, selected by the filter.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <returns>The suites.</returns>
    public static IReadOnlyList<ReferenceSuite> Suites(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        long tasks = settings.Size(2000, 300);
        const long Items = 1_000_000;
        long starts = settings.Size(10, 3);
        long messages = settings.Size(20000, 5000);
        long pingPongs = settings.Size(20000, 5000);
        var suites = new List<ReferenceSuite>
        {
            new("python.pool", References.PythonCommand(settings, "pool.py", tasks, "--items", Invariant(Items)),
            [
                new("py.ppe_submit", Unit.TasksPerSecond, tasks, "pool.trivial_tasks", "trivial task submit -> result, 2 workers", Target.AtLeast(30, "issue 5"), Pool),
                new("py.pool_map_chunksize1", Unit.TasksPerSecond, tasks, "pool.trivial_tasks", "trivial task submit -> result, 2 workers", Target.AtLeast(10, "issue 5"), Pool),
                new("py.ppe_map", Unit.TasksPerSecond, tasks, "pool.trivial_tasks", "trivial task submit -> result, 2 workers", null, Pool),
                new("py.pool_map_default", Unit.TasksPerSecond, tasks, "pool.trivial_tasks", "trivial task submit -> result, 2 workers", null, Pool),
                new("py.pool_map_1M_items", Unit.ItemsPerSecond, Items, "pool.map_1M_items", "map over 1,000,000 small items, 2 workers", Target.AtLeast(10, "issue 5"), Pool),
            ]),
            new("python.process_start", References.PythonCommand(settings, "process_start.py", starts),
            [
                new("py.process_start_join_fork", Unit.Milliseconds, starts, "pool.worker_start_join_fork", "worker start + join, fork", Target.AtMost(0.5, "issue 5"), Pool),
                new("py.process_start_join_forkserver", Unit.Milliseconds, starts, "pool.worker_start_join_forkserver", "worker start + join, fork server", Target.AtMost(0.2, "issue 5"), Pool),
                new("py.process_start_join_spawn", Unit.Milliseconds, starts, "pool.worker_start_join_spawn", "worker start + join, spawn", null, Pool),
            ]),
            new("python.fib", References.PythonCommand(settings, "fib.py", 1, "--first", settings.Quick ? "25" : "30", "--last", settings.Quick ? "29" : "34"),
            [
                new("py.fib_serial", Unit.Seconds, 1 + (settings.Quick ? 29 - 25 : 34 - 30), "pool.fib_cpu_bound", "naive fib of the seeds' range, serial vs 2 warm workers", null, Pool),
                new("py.fib_pool2", Unit.Seconds, 1 + (settings.Quick ? 29 - 25 : 34 - 30), "pool.fib_cpu_bound", "naive fib of the seeds' range, serial vs 2 warm workers", null, Pool),
            ]),
            new("python.queue", References.PythonCommand(settings, "pipe_queue.py", messages, "--only", "py.queue_throughput"),
            [
                new("py.queue_throughput", Unit.MessagesPerSecond, messages, "ring.queue_throughput", "small messages to another process", null, Ring),
            ]),
            new("c.duplex_pingpong", References.CCommand(settings, "pipe_pingpong", pingPongs, "--size", "64"),
            [
                new("c.pipe_pingpong_64B", Unit.Microseconds, pingPongs, "duplex.pingpong_64B", "duplex connection round trip, 64-byte message", Target.AtMost(1.1, "issue 3"), Duplex),
            ]),
            // Spinning references are sized small: on a loaded 2-core machine a spinner that
            // loses its CPU stalls its partner for a whole time slice.
            new("c.spin_pingpong", References.CCommand(settings, "futex_pingpong", settings.Size(20_000, 5_000), "--mode", "spin"),
            [
                new("c.spin_pingpong", Unit.Microseconds, settings.Size(20_000, 5_000), "ring.pingpong_spin", "ring ping-pong latency, spinning", null, Ring),
            ]),
        };
        // Per-message publish must reach 0.8x C, batched 0.5x C's batched figure (issue 4).
        foreach ((string mode, string how, long full, long quick, double target) in new[]
        {
            ("spin", "spinning, per-message publish", 500_000L, 200_000L, 0.8),
            ("spin-batched", "spinning, batched publish", 2_000_000L, 500_000L, 0.5),
            ("futex", "futex sleep, per-message publish", 200_000L, 50_000L, 0.8),
            ("futex-batched", "futex sleep, batched publish", 2_000_000L, 500_000L, 0.5),
        })
        {
            string figure = "c.spsc_ring_" + mode.Replace('-', '_');
            long count = settings.Size(full, quick);
            suites.Add(new("c.spsc_ring_" + mode, References.CCommand(settings, "spsc_ring", count, "--mode", mode),
            [
                new(figure, Unit.MessagesPerSecond, count, "ring.spsc_64B_" + mode.Replace('-', '_'), $"SPSC ring of 64-byte messages to a forked consumer, {how}", Target.AtLeast(target, "issue 4"), Ring),
            ]));
        }

        return [.. suites.Where(s => settings.Selects(s.Name) || s.Targets.Any(t => settings.Selects(t.Measured)))];
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
