namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class RingBufferProcessTests
{
    [Theory]
    [InlineData(1_000_000, 2, "Many", "write", 65536)]
    [InlineData(200_000, 2, "Many", "claim", 65536)]
    [InlineData(1_000_000, 1, "One", "claim", 65536)]
    [InlineData(200_000, 1, "One", "write", 65536)]

    // A ring of 512 bytes holds about 16 records: producers wrap, pad and sleep constantly.
    [InlineData(100_000, 2, "Many", "write", 512)]
    [InlineData(100_000, 1, "One", "claim", 512)]
    public void Write_ProducerProcessesIntoOneRing_ConsumerSeesEachOnceInOrder(int perProducer, int producers, string mode, string api, int capacity)
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.ProducersOneConsumer), $"{perProducer}", $"{producers}", mode, api, $"{capacity}");
        Assert.Equal("0", values["errors"]);
        for (int p = 0; p < producers; p++)
        {
            Assert.Equal("exited with code 0", values[$"producer{p}"]);
            Assert.Equal($"{perProducer}", values[$"count{p}"]);
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
