namespace PosixProcs;

/// <summary>The two owned sides of a pseudo-terminal, from <see cref="Posix.OpenPseudoTerminal"/>.</summary>
/// <param name="Master">The side this process keeps: what it writes is the terminal's input, what it reads the terminal's output.</param>
/// <param name="Slave">The terminal itself, for the child's standard streams; close this process's copy once the child has it.</param>
/// <param name="SlaveName">The terminal's path, such as /dev/pts/3.</param>
public sealed record PseudoTerminalEnds(FileDescriptorHandle Master, FileDescriptorHandle Slave, string SlaveName) : IDisposable
{
    /// <summary>Closes both sides (each only if still open).</summary>
    public void Dispose()
    {
        Master.Dispose();
        Slave.Dispose();
    }
}
