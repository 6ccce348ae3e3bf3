using System.Text;

namespace PosixProcs;

public static partial class Posix
{
    private const int SlaveNameCapacity = 128;

    /// <summary>
    /// Opens a pseudo-terminal pair (posix_openpt, grantpt, unlockpt, ptsname; no libutil) with
    /// the given window size. Both sides are close-on-exec and opened O_NOCTTY, so this process
    /// never gets a controlling terminal from them.
    /// </summary>
    /// <param name="size">The initial window size.</param>
    /// <returns>The master and slave sides and the slave's path.</returns>
    /// <exception cref="PosixException">A step failed (ENOENT or EAGAIN when no pty is left, ...).</exception>
    public static unsafe PseudoTerminalEnds OpenPseudoTerminal(TerminalSize size)
    {
        if (size == default)
        {
            throw new ArgumentException("A terminal needs a size of at least 1x1.", nameof(size));
        }

        int master = -1;
        int slave = -1;
        byte* name = stackalloc byte[SlaveNameCapacity];
        Errors.ThrowIfNegative(Interop.openpty(size.Columns, size.Rows, &master, &slave, name, SlaveNameCapacity), "openpty");
        var nameBytes = new ReadOnlySpan<byte>(name, SlaveNameCapacity);
        return new PseudoTerminalEnds(
            new FileDescriptorHandle(master, ownsHandle: true),
            new FileDescriptorHandle(slave, ownsHandle: true),
            Encoding.UTF8.GetString(nameBytes[..nameBytes.IndexOf((byte)0)]));
    }

    /// <summary>Sets a terminal's window size (ioctl TIOCSWINSZ); the kernel sends SIGWINCH to its foreground process group.</summary>
    /// <param name="terminal">Either side of a pseudo-terminal, or any terminal.</param>
    /// <param name="size">The new size.</param>
    /// <exception cref="PosixException">ENOTTY: not a terminal.</exception>
    public static void SetWindowSize(FileDescriptorHandle terminal, TerminalSize size)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        if (size == default)
        {
            throw new ArgumentException("A terminal needs a size of at least 1x1.", nameof(size));
        }

        terminal.Use(fd => Errors.ThrowIfNegative(Interop.ioctl_TIOCSWINSZ(fd, size.Columns, size.Rows), "ioctl(TIOCSWINSZ)"));
    }

    /// <summary>A terminal's window size (ioctl TIOCGWINSZ).</summary>
    /// <param name="terminal">Either side of a pseudo-terminal, or any terminal.</param>
    /// <returns>The size; <c>default</c> (0 x 0) when none has been set.</returns>
    /// <exception cref="PosixException">ENOTTY: not a terminal.</exception>
    public static unsafe TerminalSize GetWindowSize(FileDescriptorHandle terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        (int columns, int rows) = terminal.Use(fd =>
        {
            int c = 0;
            int r = 0;
            Errors.ThrowIfNegative(Interop.ioctl_TIOCGWINSZ(fd, &c, &r), "ioctl(TIOCGWINSZ)");
            return (c, r);
        });
        return columns == 0 || rows == 0 ? default : new TerminalSize(columns, rows);
    }
}
