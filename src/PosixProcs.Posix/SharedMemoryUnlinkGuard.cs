namespace PosixProcs;

/// <summary>
/// A guard process started by <see cref="Posix.StartSharedMemoryUnlinkGuard"/>: it unlinks its
/// shared memory name when this process (and every child forked from it without exec) has
/// died without disposing the guard. Disposing it stands the guard down and reaps it.
/// </summary>
public sealed class SharedMemoryUnlinkGuard : IDisposable
{
    private readonly FileDescriptorHandle _arm;
    private int _disposed;

    internal SharedMemoryUnlinkGuard(string name, Pid pid, FileDescriptorHandle arm)
    {
        Name = name;
        Pid = pid;
        _arm = arm;
    }

    /// <summary>The name it guards, as shm_open takes it.</summary>
    public string Name { get; }

    /// <summary>The guard process (a child of this process until it is reaped).</summary>
    public Pid Pid { get; }

    /// <summary>
    /// Tells the guard not to unlink, closes the pipe and reaps the guard (it exits at once).
    /// A guard already gone (killed, or reaped by someone else's waitpid(-1), as .NET's
    /// System.Diagnostics.Process does) is not an error: there is nothing left to stand down.
    /// </summary>
    /// <exception cref="PosixException">write or waitpid failed for another reason.</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Posix.WriteAll(_arm, [Interop.PP_SHM_GUARD_DISARM]);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.EPIPE)
        {
            // The guard is gone already (SIGKILLed): nobody reads the pipe, nothing will unlink.
        }
        finally
        {
            _arm.Dispose();
        }

        try
        {
            Posix.WaitPid(Pid);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ECHILD)
        {
            // Reaped by a waitpid(-1) elsewhere in this process: it has ended, which is all we wait for.
        }
    }
}
