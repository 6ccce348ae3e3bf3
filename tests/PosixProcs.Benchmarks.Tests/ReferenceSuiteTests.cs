namespace PosixProcs.Benchmarks.Tests;

public class ReferenceSuiteTests
{
    private static readonly ReferenceSuite Suite = new(
        "python.pool",
        new ExternalCommand("/usr/bin/python3", ["pool.py"]),
        [
            new("py.ppe_submit", Unit.TasksPerSecond, 100, "pool.trivial_tasks", "trivial tasks", Target.AtLeast(30, "issue 5"), "the pool (issue 5)"),
            new("py.pool_map_chunksize1", Unit.TasksPerSecond, 100, "pool.trivial_tasks", "trivial tasks", Target.AtLeast(10, "issue 5"), "the pool (issue 5)"),
            new("py.pool_map_1M_items", Unit.ItemsPerSecond, 1000, "pool.map_1M_items", "map", Target.AtLeast(10, "issue 5"), "the pool (issue 5)"),
        ]);

    private static ExternalFigure Figure(string name, Unit unit, ulong count) =>
        new(name, unit, new Summary(5000, 4000, 6000, 3), count, 12345);

    [Fact]
    public void Judge_AllFigures_PendingGroupedByFutureFigure()
    {
        IReadOnlyList<BenchmarkResult> results = Suite.Judge(
            [Figure("py.ppe_submit", Unit.TasksPerSecond, 300), Figure("py.pool_map_chunksize1", Unit.TasksPerSecond, 300), Figure("py.pool_map_1M_items", Unit.ItemsPerSecond, 3000)],
            repetitions: 3);

        Assert.Equal(["pool.trivial_tasks", "pool.map_1M_items"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Null(r.Measured));
        Assert.Equal(["py.ppe_submit", "py.pool_map_chunksize1"], results[0].Comparisons.Select(c => c.Reference));
        Assert.All(results.SelectMany(r => r.Comparisons), c => Assert.Equal(Verdict.Pending, c.Verdict));
        Assert.Equal("waiting for the pool (issue 5)", results[0].Note);
    }

    [Fact]
    public void Judge_FigureMissingOrShortOfWork_ThatTargetFailed()
    {
        IReadOnlyList<BenchmarkResult> results = Suite.Judge(
            [Figure("py.ppe_submit", Unit.TasksPerSecond, 299), Figure("py.pool_map_1M_items", Unit.ItemsPerSecond, 3000)],
            repetitions: 3);

        Assert.Equal([Verdict.Failed, Verdict.Failed], results[0].Comparisons.Select(c => c.Verdict));
        Assert.Contains("299 operations, 300 were asked", results[0].Note, StringComparison.Ordinal);
        Assert.Contains("printed no figure py.pool_map_chunksize1", results[0].Note, StringComparison.Ordinal);
        Assert.Equal(Verdict.Pending, results[1].Comparisons[0].Verdict);
    }
}
