namespace PosixProcs.Stress.Tests;

/// <summary>The harness must never hide a failure: a dead host, a hang, a leftover process all fail the case and the run.</summary>
[Collection(SerialStressCases.Name)]
public sealed class HarnessHonestyTests
{
    [Fact]
    public void Run_CaseProcessKilledBySignal_ReportsHostDeathWithLastStep()
    {
        (int exitCode, IReadOnlyList<ReportedCase> cases) = StressRun.Run("selftest-host-death");

        ReportedCase reported = Assert.Single(cases);
        Assert.False(reported.Pass);
        Assert.Contains("SIGKILL", reported.Ending, StringComparison.Ordinal);
        Assert.Contains("host death", reported.Reason, StringComparison.Ordinal);
        Assert.Contains("about to be killed", reported.Reason, StringComparison.Ordinal);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public void Run_CaseHangs_KilledAtDeadlineAndReportedAsHang()
    {
        (int exitCode, IReadOnlyList<ReportedCase> cases) = StressRun.Run("selftest-hang");

        ReportedCase reported = Assert.Single(cases);
        Assert.False(reported.Pass);
        Assert.StartsWith("timeout", reported.Ending, StringComparison.Ordinal);
        Assert.Contains("hanging", reported.Reason, StringComparison.Ordinal);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public void Run_CaseLeavesProcessBehind_CountsKillsAndReapsIt()
    {
        (int exitCode, IReadOnlyList<ReportedCase> cases) = StressRun.Run("selftest-orphan");

        ReportedCase reported = Assert.Single(cases);
        Assert.False(reported.Pass, reported.ToString());
        Assert.Equal(1, reported.Number("harness.leftover_processes"));
        int orphan = (int)reported.Number("orphan");
        Assert.False(PosixProcs.Posix.ProcessExists(new Pid(orphan)) && File.Exists($"/proc/{orphan}/cmdline") && File.ReadAllText($"/proc/{orphan}/cmdline").StartsWith("sleep", StringComparison.Ordinal),
            $"the orphan {orphan} still runs");
        Assert.NotEqual(0, exitCode);
    }
}
