namespace PosixProcs.Benchmarks.Tests;

/// <summary>A fixed report with one of each verdict, for the output tests.</summary>
internal static class SampleReport
{
    public static BenchmarkReport Create() => new(
        new MachineInfo("Linux 6.1", "X64", ".NET 10.0.0", 2, "/usr/bin/python3", "0.50 at start, 1.20 at end"),
        Quick: true,
        Rounds: 5,
        new DateTimeOffset(2026, 11, 22, 11, 0, 0, TimeSpan.Zero),
        TimeSpan.FromSeconds(95),
        [
            new BenchmarkResult("posix.spawn_true", "Posix.Spawn(/bin/true) + wait", Unit.Microseconds, new Summary(1800, 1700, 2000, 5),
            [
                ComparisonResult.Compare("c.posix_spawn_true", new Summary(1800, 1700, 2000, 5), new Summary(1500, 1450, 1600, 5), Target.AtMost(1.1, "issue 3")),
                ComparisonResult.Compare("dotnet.process_start_true", new Summary(1800, 1700, 2000, 5), new Summary(3600, 3000, 4000, 5), null),
            ],
            Remarks: "argv and the environment are converted on every call"),
            new BenchmarkResult("posix.futex_pingpong", "futex round trip", Unit.Microseconds, new Summary(13, 12, 14, 5),
            [
                ComparisonResult.Compare("c.futex_pingpong", new Summary(13, 12, 14, 5), new Summary(12.5, 12, 13, 5), Target.AtMost(1.2, "issue 4")),
            ]),
            new BenchmarkResult("pool.trivial_tasks", "trivial tasks <2 workers>", Unit.TasksPerSecond, null,
            [
                new ComparisonResult("py.ppe_submit", new Summary(5800, 4600, 6300, 5), null, Target.AtLeast(30, "issue 5"), Verdict.Pending),
            ],
            "waiting for the pool (issue 5)"),
            new BenchmarkResult("posix.pipe_pingpong_1B", "round trip | 1 byte", Unit.Microseconds, null,
            [
                new ComparisonResult("c.pipe_pingpong_1B", null, null, Target.AtMost(1.1, "issue 3"), Verdict.Failed),
            ],
            "posix.pipe_pingpong_1B: child 123 exited with code 70, expected exit code 0."),
        ]);
}
