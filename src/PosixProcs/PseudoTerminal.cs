namespace PosixProcs;

/// <summary>
/// The parent's side of a spawned child's pseudo-terminal (<see cref="SpawnOptions.Terminal"/>):
/// what is written to <see cref="Stream"/> is typed on the terminal, what the program writes
/// on it (with the terminal's own processing: echo, "\n" sent as "\r\n") is read from it. Reads
/// end (return 0) once every process has closed the terminal, usually when the program exits.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    private readonly Lock _gate = new();
    private TerminalSize _size;

    internal PseudoTerminal(FileDescriptorHandle master, string name, TerminalSize size)
    {
        Stream = new FileDescriptorStream(master, FileAccess.ReadWrite) { EioIsEndOfStream = true };
        Name = name;
        _size = size;
    }

    /// <summary>The master side: read the terminal's output, write its input.</summary>
    public FileDescriptorStream Stream { get; }

    /// <summary>The terminal's path as the program sees it, such as /dev/pts/3.</summary>
    public string Name { get; }

    /// <summary>The window size last set.</summary>
    public TerminalSize Size
    {
        get
        {
            lock (_gate)
            {
                return _size;
            }
        }
    }

    /// <summary>Changes the window size (TIOCSWINSZ); the program's foreground process group gets SIGWINCH.</summary>
    /// <param name="columns">Characters per line, 1..65535.</param>
    /// <param name="rows">Lines, 1..65535.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The terminal has been closed.</exception>
    /// <exception cref="PosixException">The ioctl failed.</exception>
    public void Resize(int columns, int rows)
    {
        var size = new TerminalSize(columns, rows);
        ObjectDisposedException.ThrowIf(Stream.Handle.IsClosed, this);
        lock (_gate)
        {
            Posix.SetWindowSize(Stream.Handle, size);
            _size = size;
        }
    }

    /// <summary>Closes the master side: the program's terminal hangs up (SIGHUP to its session's foreground group).</summary>
    public void Dispose() => Stream.Dispose();
}
