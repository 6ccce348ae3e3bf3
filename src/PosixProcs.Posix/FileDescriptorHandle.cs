using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>
/// An owned file descriptor. Invalid is any negative value: 0 is a valid descriptor.
/// Every descriptor PosixProcs opens is close-on-exec unless it is passed to a child on purpose.
/// </summary>
public sealed class FileDescriptorHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public FileDescriptorHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    /// <summary>Wraps an existing descriptor.</summary>
    /// <param name="fd">The descriptor number, 0 or more.</param>
    /// <param name="ownsHandle">Whether disposing this handle closes the descriptor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    public FileDescriptorHandle(int fd, bool ownsHandle)
        : base(new IntPtr(-1), ownsHandle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        SetHandle(new IntPtr(fd));
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, for a child's descriptor map or for diagnostics.</summary>
    /// <exception cref="ObjectDisposedException">The handle is closed.</exception>
    public int Number
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return (int)handle.ToInt64();
        }
    }

    /// <summary>Whether the descriptor is closed in a child at exec (FD_CLOEXEC).</summary>
    public bool CloseOnExec
    {
        get => Use(fd => Errors.ThrowIfNegative(Interop.fcntl_get_FD_CLOEXEC(fd), "fcntl(F_GETFD)")) == 1;
        set => Use(fd => Errors.ThrowIfNegative(Interop.fcntl_set_FD_CLOEXEC(fd, value ? 1 : 0), "fcntl(F_SETFD)"));
    }

    /// <summary>Whether reads and writes return EAGAIN instead of blocking (O_NONBLOCK).</summary>
    public bool NonBlocking
    {
        get => Use(fd => Errors.ThrowIfNegative(Interop.fcntl_get_O_NONBLOCK(fd), "fcntl(F_GETFL)")) == 1;
        set => Use(fd => Errors.ThrowIfNegative(Interop.fcntl_set_O_NONBLOCK(fd, value ? 1 : 0), "fcntl(F_SETFL)"));
    }

    /// <summary>Runs <paramref name="action"/> with the raw number, keeping the descriptor open meanwhile.</summary>
    internal T Use<T>(Func<int, T> action)
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            return action((int)handle.ToInt64());
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // close is not retried on EINTR: on Linux the descriptor is released either way,
        // and a retry could close a number another thread has just been given.
        int rc = Interop.close((int)handle.ToInt64());
        return rc == 0 || Errors.LastErrno() == PosixErrno.EINTR;
    }

    /// <summary>The number, or "closed".</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => IsClosed ? "fd (closed)" : $"fd {handle.ToInt64()}";
}
