namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class RingBufferProcessTests
{
    [Fact]
    public void Write_TwoProducerProcessesMillionRecordsEach_ConsumerSeesEachOnceInOrder()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.TwoProducersOneConsumer), "1000000");
        Assert.Equal("0", values["errors"]);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal("exited with code 0", values[$"producer{p}"]);
            Assert.Equal("1000000", values[$"count{p}"]);
            Assert.Equal("match", values[$"checksum{p}"]);
        }

        Assert.Equal("0", values["leftover"]);
    }

    [Fact]
    public void Unblock_ProducerKilledMidRecord_ConsumerRecoversAndGetsLaterRecords()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.DeadProducerMidRecord));
        Assert.Equal("True", values["claimed"]);
        Assert.Equal("killed by SIGKILL", values["dying"]);
        Assert.Equal("exited with code 0", values["healthy"]);
        Assert.Equal("0", values["blockedRead"]);
        Assert.Equal("True", values["unblocked"]);
        Assert.Equal("1", values["readAfterUnblock"]);
        Assert.Equal("7:after", values["received"]);
        Assert.Equal("False", values["secondUnblock"]);
        Assert.Equal("0", values["size"]);
    }
}
