using PosixProcs.Testing;

namespace PosixProcs.Benchmarks.Tests;

/// <summary>The real benchmarks' checks hold and their children end cleanly (outcomes only, no timing).</summary>
public class BenchmarkScenarioTests
{
    [Theory]
    [InlineData("posix.fork_exit_wait")]
    [InlineData("posix.pipe_pingpong_64B")]
    [InlineData("posix.pipe_pingpong_1B")]
    [InlineData("posix.pipe_throughput_64KiB")]
    [InlineData("posix.futex_pingpong")]
    [InlineData("run.capture_echo")]
    [InlineData("pipeline.cat3_throughput")]
    [InlineData("init.start_true")]
    [InlineData("init.rss_program_sleeping")]
    [InlineData("pool.imap_chunksize1")]
    public void MeasuredSide_ChecksHoldAndChildrenExit(string name)
    {
        ScenarioResult result = Helper.Run(nameof(BenchmarkScenarios.RunMeasuredSide), name);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Values["measured"] == "True", result.ToString());
        Assert.Equal("1", result.Values["repetitions"]);
        Assert.Equal(string.Empty, result.Values["note"]);
    }

    [Fact]
    public void ForkedChild_Hung_TimesOutKilledAndReaped()
    {
        ScenarioResult result = Helper.Run(nameof(BenchmarkScenarios.HungChildIsKilled));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("did not exit within 0.3 s; killed", result.Values["outcome"], StringComparison.Ordinal);
        Assert.Equal("False", result.Values["exists"]);
    }

    [Fact]
    public void ForkedChild_ExitCodes_BodyResultOrFailureCode()
    {
        ScenarioResult result = Helper.Run(nameof(BenchmarkScenarios.ChildExitCodes));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"exited with code {ForkedChild.BodyFailed}", result.Values["failing"]);
        Assert.Equal("exited with code 9", result.Values["returning"]);
    }
}
