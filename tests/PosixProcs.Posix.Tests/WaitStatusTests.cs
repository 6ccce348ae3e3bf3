namespace PosixProcs.PosixTests;

/// <summary>The pure decoder, checked against the platform's own W* macros in C.</summary>
public class WaitStatusTests
{
    [Fact]
    public void Decode_EveryExitCode_MatchesCMacros()
    {
        for (int code = 0; code <= 255; code++)
        {
            int raw = code << 8;
            Assert.Equal(new WaitStatus.Exited(code), WaitStatus.Decode(raw));
            AssertMatchesMacros(raw);
        }
    }

    [Theory]
    [InlineData("SIGKILL", false)]
    [InlineData("SIGTERM", false)]
    [InlineData("SIGSEGV", true)]
    [InlineData("SIGSEGV", false)]
    [InlineData("SIGABRT", true)]
    public void Decode_SignalStatus_IsSignaledWithCoreFlag(string name, bool core)
    {
        Signal signal = Signal.Parse(name);
        int raw = signal.Number | (core ? 0x80 : 0);
        Assert.Equal(new WaitStatus.Signaled(signal, core), WaitStatus.Decode(raw));
        AssertMatchesMacros(raw);
    }

    [Fact]
    public void Decode_StoppedStatus_IsStopped()
    {
        int raw = (Signal.SIGSTOP.Number << 8) | 0x7f;
        Assert.Equal(new WaitStatus.Stopped(Signal.SIGSTOP), WaitStatus.Decode(raw));
        AssertMatchesMacros(raw);
    }

    [Fact]
    public void Decode_ContinuedStatus_IsContinued()
    {
        int raw = OperatingSystem.IsMacOS() ? (Signal.SIGCONT.Number << 8) | 0x7f : 0xffff;
        Assert.Same(WaitStatus.Continued.Instance, WaitStatus.Decode(raw));
        AssertMatchesMacros(raw);
    }

    [Fact]
    public void Decode_EverySignalNumber_MatchesCMacros()
    {
        for (int sig = 1; sig < 0x7f; sig++)
        {
            AssertMatchesMacros(sig);
            AssertMatchesMacros(sig | 0x80);
        }
    }

    [Fact]
    public void ToString_Statuses_ReadNaturally()
    {
        Assert.Equal("exited with code 3", new WaitStatus.Exited(3).ToString());
        Assert.Equal("killed by SIGKILL", new WaitStatus.Signaled(Signal.SIGKILL, false).ToString());
        Assert.Equal("killed by SIGSEGV (core dumped)", new WaitStatus.Signaled(Signal.SIGSEGV, true).ToString());
    }

    private static unsafe void AssertMatchesMacros(int raw)
    {
        WaitStatusParts parts;
        Assert.Equal(0, Interop.DecodeWaitStatus(raw, &parts));
        WaitStatus decoded = WaitStatus.Decode(raw);
        switch (decoded)
        {
            case WaitStatus.Exited exited:
                Assert.Equal(1, parts.Exited);
                Assert.Equal(parts.ExitCode, exited.Code);
                break;
            case WaitStatus.Signaled signaled:
                Assert.Equal(1, parts.Signaled);
                Assert.Equal(parts.TermSignal, signaled.Signal.Number);
                Assert.Equal(parts.CoreDumped == 1, signaled.CoreDumped);
                break;
            case WaitStatus.Stopped stopped:
                Assert.Equal(1, parts.Stopped);
                Assert.Equal(parts.StopSignal, stopped.Signal.Number);
                break;
            case WaitStatus.Continued:
                Assert.Equal(1, parts.Continued);
                break;
            default:
                Assert.Fail($"unexpected {decoded} for raw 0x{raw:x}");
                break;
        }
    }
}
