namespace PosixProcs.Pool.Tests;

public class InheritedDescriptorTests
{
    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    public void Start_OwnerHoldsListenerAndPipe_WorkersHoldNeither(StartMethod method)
    {
        // Before: Fork workers inherited every descriptor of the pool's owner.
        var values = Helper.Run(nameof(InheritedDescriptorScenarios.WorkersHoldNoListener), null, method.ToString()).Values;
        Assert.Equal("45", values["sum"]);
        Assert.Equal("2", values["workers"]);
        Assert.Equal("False", values["holdSocket"]);
        Assert.Equal("False", values["holdPipe"]);
    }
}
