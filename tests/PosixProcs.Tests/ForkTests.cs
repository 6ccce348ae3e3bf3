namespace PosixProcs.Tests;

[Collection(SerialChildProcesses.Name)]
public class ForkTests
{
    [Fact]
    public void Fork_ExitCodesAndSignals_RoundTripThroughWaitStatus()
    {
        var values = Helper.Run(nameof(ForkScenarios.ExitCodesAndSignals)).Values;
        Assert.Equal("exited with code 0", values["exit0"]);
        Assert.Equal("exited with code 3", values["exit3"]);
        Assert.Equal("exited with code 255", values["exit255"]);
        Assert.Equal("killed by SIGKILL", values["killed"]);
        Assert.Equal("killed by SIGTERM", values["terminated"]);
    }

    [Fact]
    public void Fork_DelegateThrows_ParentGetsTypeMessageAndStack()
    {
        var values = Helper.Run(nameof(ForkScenarios.ChildThrows)).Values;
        Assert.Equal("System.InvalidOperationException", values["type"]);
        Assert.Equal("boom in the child", values["message"]);
        Assert.Equal($"exited with code {ChildProcess.FaultExitCode}", values["status"]);
        Assert.Equal("True", values["stackHasMethod"]);
    }

    [Fact]
    public void Fork_Closure_SeesParentStateAndWritesStayInChild()
    {
        var values = Helper.Run(nameof(ForkScenarios.ClosuresSeeParentState)).Values;
        Assert.Equal("500500", values["sum"]);
        Assert.Equal("exited with code 0", values["status"]);
        Assert.Equal("42", values["global"]);
    }

    [Fact]
    public void Pipe_UnusedEndsClosed_ReaderSeesEndOfFile()
    {
        var values = Helper.Run(nameof(ForkScenarios.PipeEndOfFile), null, "close").Values;
        Assert.Equal("hello", values["message"]);
        Assert.Equal("True", values["eof"]);
    }

    [Fact]
    public void Pipe_ParentKeepsWriteEnd_ReaderNeverSeesEndOfFile()
    {
        var values = Helper.Run(nameof(ForkScenarios.PipeEndOfFile), null, "keep").Values;
        Assert.Equal("hello", values["message"]);
        Assert.Equal("False", values["eof"]);
    }

    [Fact]
    public void DuplexChannel_TenThousandPingPongs_EveryReplyCorrect()
    {
        var values = Helper.Run(nameof(ForkScenarios.DuplexPingPong), null, "10000").Values;
        Assert.Equal("10000", values["correct"]);
        Assert.Equal("exited with code 0", values["status"]);
        Assert.Equal(nameof(ChannelCloseReason.EndOfStream), values["after"]);
    }

    [Fact]
    public void DuplexChannel_PeerKilled_ReportedAsPeerDied()
    {
        var values = Helper.Run(nameof(ForkScenarios.DuplexPeerDies)).Values;
        Assert.Equal("one", values["first"]);
        Assert.Equal(nameof(ChannelCloseReason.PeerDied), values["reason"]);
        Assert.Equal("killed by SIGKILL", values["status"]);
    }

    [Fact]
    public void TryReceive_NothingSent_FalseThenMessage()
    {
        var values = Helper.Run(nameof(ForkScenarios.TryReceiveTimesOut)).Values;
        Assert.Equal("False", values["early"]);
        Assert.Equal("True:late", values["late"]);
    }

    [Fact]
    public void Fork_TwoHundredChildren_NoZombiesNoDescriptorGrowth()
    {
        var values = Helper.Run(nameof(ForkScenarios.TwoHundredForks)).Values;
        Assert.Equal("200", values["ok"]);
        Assert.Equal("0", values["zombies"]);
        Assert.Equal("0", values["fdGrowth"]);
    }

    [Fact]
    public void Fork_ChildAllocates200MegabytesAndCollects_ExitsCleanly()
    {
        // With concurrent GC on, this child aborted (SIGABRT) at 20 MB: see ForkHazards.BackgroundGarbageCollection.
        var values = Helper.Run(nameof(ForkScenarios.GarbageCollectionInChild), null, "200").Values;
        Assert.Equal("exited with code 0", values["status"]);
    }

    [Fact]
    public void Fork_WriteXorExecuteOn_Refused()
    {
        var values = Helper.Run(nameof(ForkScenarios.ForkRefusedUnderWriteXorExecute), new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "1" }).Values;
        Assert.Equal(nameof(ForkHazards.WriteXorExecute), values["refused"]);
    }

    [Fact]
    public void WaitAsync_TwentyForkedChildren_AllExitCodesArrive()
    {
        var values = Helper.Run(nameof(ForkScenarios.WaitAsyncForForkedChildren)).Values;
        Assert.Equal(string.Join(',', Enumerable.Range(0, 20)), values["codes"]);
    }

    [Fact]
    public void Fork_ChildCallsEnvironmentExit_ExitsWithThatCode()
    {
        // Before the fix the child slept for ever in the runtime's shutdown (no finalizer thread).
        var values = Helper.Run(nameof(ForkScenarios.EnvironmentExitInChild)).Values;
        Assert.Equal("before exit", values["output3"]);
        Assert.Equal("exited with code 3", values["status3"]);
        Assert.Equal("exited with code 0", values["status0"]);
    }

    [Fact]
    public void Fork_ChildSetsExitCodeAndGoesOn_EndsWithItsOwnReturn()
    {
        var values = Helper.Run(nameof(ForkScenarios.ExitCodeSetWithoutExit)).Values;
        Assert.Equal("exited with code 0", values["status"]);
    }

    [Fact]
    public void Fork_ParentHoldsListenerAndPipe_ChildHoldsNeitherAndReaderSeesEndOfFile()
    {
        var result = Helper.Run(nameof(ForkScenarios.InheritedDescriptors), null, "close");
        var values = result.Values;
        Assert.Equal("True", values["childReady"]);
        Assert.Equal("False", values["childHoldsSocket"]);
        Assert.Equal("False", values["childHoldsPipe"]);
        Assert.Equal("True", values["eofWhileChildLives"]);
        Assert.Equal("ok 500", values["childConsole"]);
        Assert.Equal("exited with code 0", values["status"]);
    }

    [Fact]
    public void Fork_CloseInheritedDescriptorsOff_ChildHoldsBothAndNoEndOfFile()
    {
        var values = Helper.Run(nameof(ForkScenarios.InheritedDescriptors), null, "keep").Values;
        Assert.Equal("True", values["childHoldsSocket"]);
        Assert.Equal("True", values["childHoldsPipe"]);
        Assert.Equal("False", values["eofWhileChildLives"]);
        Assert.Equal("exited with code 0", values["status"]);
    }

    [Fact]
    public void Fork_DescriptorListedAsInherited_ChildKeepsOnlyThat()
    {
        var values = Helper.Run(nameof(ForkScenarios.InheritedDescriptors), null, "list").Values;
        Assert.Equal("False", values["childHoldsSocket"]);
        Assert.Equal("True", values["childHoldsPipe"]);
        Assert.Equal("exited with code 0", values["status"]);
    }
}
