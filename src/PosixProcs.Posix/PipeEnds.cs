namespace PosixProcs;

/// <summary>The two owned ends of a pipe or a socket pair.</summary>
/// <param name="Read">For a pipe, the read end; for a socket pair, the first socket.</param>
/// <param name="Write">For a pipe, the write end; for a socket pair, the second socket.</param>
public sealed record PipeEnds(FileDescriptorHandle Read, FileDescriptorHandle Write) : IDisposable
{
    /// <summary>Closes both ends (each only if still open).</summary>
    public void Dispose()
    {
        Read.Dispose();
        Write.Dispose();
    }
}
