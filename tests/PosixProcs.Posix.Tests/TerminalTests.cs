namespace PosixProcs.PosixTests;

public class TerminalTests
{
    [Fact]
    public void OpenPseudoTerminal_Sized_BothSidesCloseOnExecAndSizeReadBack()
    {
        using PseudoTerminalEnds pty = Posix.OpenPseudoTerminal(new TerminalSize(120, 40));
        Assert.StartsWith("/dev/pts/", pty.SlaveName, StringComparison.Ordinal);
        Assert.True(pty.Master.CloseOnExec);
        Assert.True(pty.Slave.CloseOnExec);
        Assert.Equal(new TerminalSize(120, 40), Posix.GetWindowSize(pty.Slave));
        Posix.SetWindowSize(pty.Master, new TerminalSize(33, 11));
        Assert.Equal(new TerminalSize(33, 11), Posix.GetWindowSize(pty.Slave));
    }

    [Fact]
    public void GetWindowSize_Pipe_ThrowsENOTTY()
    {
        using PipeEnds pipe = Posix.Pipe();
        var ex = Assert.Throws<PosixException>(() => Posix.GetWindowSize(pipe.Read));
        Assert.Equal(PosixErrno.ENOTTY, ex.Errno);
        Assert.Equal("ioctl(TIOCGWINSZ)", ex.CallName);
    }

    [Fact]
    public void TerminalSize_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TerminalSize(0, 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TerminalSize(80, 65_536));
        Assert.Throws<ArgumentException>(() => Posix.OpenPseudoTerminal(default));
    }

    [Fact]
    public void Spawn_ControllingTerminalWithoutNewSession_ThrowsArgumentException()
    {
        using PseudoTerminalEnds pty = Posix.OpenPseudoTerminal(TerminalSize.Default);
        Assert.Throws<ArgumentException>(() => Posix.Spawn(new SpawnRequest("/bin/true", ["true"]) { ControllingTerminal = pty.Slave }));
    }

    [Fact]
    public void Spawn_ControllingTerminal_ChildSessionOwnsTheTerminal()
    {
        using PseudoTerminalEnds pty = Posix.OpenPseudoTerminal(TerminalSize.Default);
        // ps reports the controlling terminal of the child itself, not merely its stdin.
        Pid pid = Posix.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", "exec 0</dev/null 1>/dev/null 2>&1; exec sleep 30"])
        {
            NewSession = true,
            ControllingTerminal = pty.Slave,
            Descriptors = [new DescriptorMapping(0, pty.Slave), new DescriptorMapping(1, pty.Slave), new DescriptorMapping(2, pty.Slave)],
        });
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.Value}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            int ttyNr = int.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture);
            int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
            Assert.Equal(pty.SlaveName, $"/dev/pts/{minor}");
            Assert.Equal(pid, Posix.GetProcessGroup(pid));
        }
        finally
        {
            Posix.Kill(pid, Signal.SIGKILL);
            Posix.WaitPid(pid);
        }
    }
}
