namespace PosixProcs.Tests;

[Collection(SerialChildProcesses.Name)]
public class OrphanReaperTests
{
    [Fact]
    public void OrphanReaper_TenShellsLeaveOrphans_NoZombiesAndOwnersKeepTheirCodes()
    {
        var values = Helper.Run(nameof(OrphanReaperScenarios.OrphansOfShell), null, "reaper").Values;
        Assert.Equal("exited with code 0", values["shells"]);
        Assert.Equal("0", values["zombies"]);
        Assert.Equal("20", values["reaped"]);
        Assert.Equal("none", values["reaperError"]);
        Assert.Equal("exited with code 5", values["owned"]);
        Assert.Equal("True", values["processExited"]);
        Assert.Equal("7", values["processExitCode"]);
    }

    [Fact]
    public void OrphanReaper_AsPidOneOfNamespace_NoZombiesAndOwnersKeepTheirCodes()
    {
        // unshare --pid needs root (as on this project's machines and CI).
        var values = Helper.Run(nameof(OrphanReaperScenarios.OrphansAsPidOne)).Values;
        Assert.Equal("exited with code 0", values["inner"]);
        Assert.Equal("1", values["pid"]);
        Assert.Equal("0", values["zombies"]);
        Assert.Equal("20", values["reaped"]);
        Assert.Equal("exited with code 5", values["owned"]);
    }

    [Fact]
    public void Subreaper_WithoutOrphanReaper_OrphansStayZombies()
    {
        // What the reaper is for: the same shells leave twenty zombies behind.
        var values = Helper.Run(nameof(OrphanReaperScenarios.OrphansOfShell), null, "none").Values;
        Assert.Equal("20", values["zombies"]);
        Assert.Equal("exited with code 5", values["owned"]);
    }

    [Fact]
    public void Start_GracePeriodNegative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrphanReaperOptions { GracePeriod = TimeSpan.FromSeconds(-1) });
    }
}
