namespace PosixProcs.Benchmarks.Tests;

/// <summary>The bash side of the pipeline benchmark: its script and its checks (outcomes only, no timing).</summary>
public class ShellPipelineMeasurementTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public void ShellCommand_OneKiB_IsHeadThenThreeCatsIntoDevNullWithPipefail()
    {
        Assert.Equal("set -o pipefail; head -c 1024 /dev/zero | cat | cat | cat > /dev/null", PipelineThroughputBenchmark.ShellCommand(1024));
    }

    [Fact]
    public void MeasureOnce_SmallPipeline_ReportsAPositiveRate()
    {
        using var measurement = new ShellPipelineMeasurement("bash.test", PipelineThroughputBenchmark.ShellCommand(1 << 20), 1 << 20, 4, Limit);
        measurement.Start();
        Assert.True(measurement.MeasureOnce() > 0);
    }

    [Fact]
    public void MeasureOnce_AStageFails_ThrowsCheckException()
    {
        using var measurement = new ShellPipelineMeasurement("bash.test", "set -o pipefail; false | cat > /dev/null", 1, 2, Limit);
        var ex = Assert.Throws<BenchmarkCheckException>(() => measurement.MeasureOnce());
        Assert.Contains("exited with code 1", ex.Message, StringComparison.Ordinal);
    }
}
