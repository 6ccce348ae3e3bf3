namespace PosixProcs.Pool.Tests;

/// <summary>A failure in the fork server comes back to the pool as the same exception type, through the wire record.</summary>
public class ForkServerErrorTests
{
    [Fact]
    public void ToException_GuardRefusal_ForkHazardExceptionWithItsHazards()
    {
        var refusal = new ForkHazardException(ForkHazards.TieredCompilation | ForkHazards.RunningThreads, "fork refused: tiered compilation is on");

        Exception back = ForkServerError.From(refusal).ToException();

        var hazard = Assert.IsType<ForkHazardException>(back);
        Assert.Equal(refusal.Hazards, hazard.Hazards);
        Assert.Equal(refusal.Message, hazard.Message);
    }

    [Fact]
    public void ToException_SystemCallError_PosixExceptionWithCallAndErrno()
    {
        Exception back = ForkServerError.From(new PosixException("fork", PosixErrno.EAGAIN)).ToException();

        var posix = Assert.IsType<PosixException>(back);
        Assert.Equal("fork", posix.CallName);
        Assert.Equal(PosixErrno.EAGAIN, posix.Errno);
    }

    [Fact]
    public void ToException_AnyOtherError_ForkServerExceptionNamingIt()
    {
        Exception back = ForkServerError.From(new InvalidOperationException("broken")).ToException();

        var server = Assert.IsType<ForkServerException>(back);
        Assert.Contains("System.InvalidOperationException: broken", server.Message, StringComparison.Ordinal);
    }
}
