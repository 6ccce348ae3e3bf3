namespace PosixProcs.Pool.Tests;

public class EnvironmentExitTests
{
    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.ForkServer)]
    public void SubmitAsync_TaskCallsEnvironmentExit_WorkerCrashedWithItsCodeAndPoolGoesOn(StartMethod method)
    {
        // Before the fix a forked worker slept for ever in the runtime's shutdown.
        var values = Helper.Run(nameof(EnvironmentExitScenarios.TaskCallsEnvironmentExit), null, method.ToString()).Values;
        Assert.Equal("yes", values["crashed"]);
        Assert.StartsWith("exited with code 3", values["status"], StringComparison.Ordinal);
        Assert.Equal("42", values["after"]);
    }
}
