namespace PosixProcs;

/// <summary>
/// The thin, typed layer over the POSIX calls PosixProcs needs: what Python's <c>os</c>
/// module gives (<c>os.pipe</c>, <c>os.waitpid</c>, <c>os.kill</c>, ...), with owned
/// descriptors, portable signal numbers and one exception type for every failure.
/// </summary>
public static partial class Posix
{
    /// <summary>Creates a pipe (pipe2). Both ends are close-on-exec.</summary>
    /// <param name="nonBlocking">Whether both ends are O_NONBLOCK.</param>
    /// <returns>The read and write ends.</returns>
    /// <exception cref="PosixException">pipe2 failed (e.g. EMFILE).</exception>
    public static unsafe PipeEnds Pipe(bool nonBlocking = false)
    {
        int* fds = stackalloc int[2];
        Errors.ThrowIfNegative(Interop.pipe2(fds, Interop.PP_FD_CLOEXEC | (nonBlocking ? Interop.PP_FD_NONBLOCK : 0)), "pipe2");
        return new PipeEnds(new FileDescriptorHandle(fds[0], ownsHandle: true), new FileDescriptorHandle(fds[1], ownsHandle: true));
    }

    /// <summary>Creates a connected pair of Unix stream sockets: one bidirectional channel. Both are close-on-exec.</summary>
    /// <param name="nonBlocking">Whether both sockets are O_NONBLOCK.</param>
    /// <returns>The two sockets (as <see cref="PipeEnds.Read"/> and <see cref="PipeEnds.Write"/>).</returns>
    /// <exception cref="PosixException">socketpair failed.</exception>
    public static unsafe PipeEnds SocketPair(bool nonBlocking = false)
    {
        int* fds = stackalloc int[2];
        Errors.ThrowIfNegative(Interop.socketpair(fds, Interop.PP_FD_CLOEXEC | (nonBlocking ? Interop.PP_FD_NONBLOCK : 0)), "socketpair");
        return new PipeEnds(new FileDescriptorHandle(fds[0], ownsHandle: true), new FileDescriptorHandle(fds[1], ownsHandle: true));
    }

    /// <summary>Reads up to <c>buffer.Length</c> bytes (read). EINTR is retried.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>The number of bytes read; 0 means end of file (every writer closed).</returns>
    /// <exception cref="PosixException">read failed (EAGAIN on an empty non-blocking descriptor).</exception>
    public static unsafe int Read(FileDescriptorHandle fd, Span<byte> buffer)
    {
        return (int)Errors.ThrowIfNegative(RawRead(fd, buffer), "read");
    }

    /// <summary>Writes bytes once (write); the count written may be less than asked. EINTR is retried.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="buffer">The bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="PosixException">write failed: EPIPE when no reader is left (SIGPIPE is ignored by the runtime).</exception>
    public static unsafe int Write(FileDescriptorHandle fd, ReadOnlySpan<byte> buffer)
    {
        return (int)Errors.ThrowIfNegative(RawWrite(fd, buffer), "write");
    }

    /// <summary>Reads from a non-blocking descriptor without throwing when nothing is there yet.</summary>
    /// <param name="fd">The descriptor (O_NONBLOCK).</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="bytesRead">Bytes read; 0 means end of file.</param>
    /// <returns>False on EAGAIN (nothing to read yet), true otherwise.</returns>
    /// <exception cref="PosixException">read failed with another errno.</exception>
    public static unsafe bool TryRead(FileDescriptorHandle fd, Span<byte> buffer, out int bytesRead)
    {
        return Completed(RawRead(fd, buffer), "read", out bytesRead);
    }

    /// <summary>Writes to a non-blocking descriptor without throwing when it is full.</summary>
    /// <param name="fd">The descriptor (O_NONBLOCK).</param>
    /// <param name="buffer">The bytes.</param>
    /// <param name="bytesWritten">Bytes written (may be fewer than asked).</param>
    /// <returns>False on EAGAIN (no room yet), true otherwise.</returns>
    /// <exception cref="PosixException">write failed with another errno (EPIPE: no reader).</exception>
    public static unsafe bool TryWrite(FileDescriptorHandle fd, ReadOnlySpan<byte> buffer, out int bytesWritten)
    {
        return Completed(RawWrite(fd, buffer), "write", out bytesWritten);
    }

    // read/write sit on every hot path (pipes, channels): they hold the handle open with
    // AddRef/Release directly, without a closure per call.
    private static unsafe long RawRead(FileDescriptorHandle fd, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(fd);
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            fixed (byte* p = buffer)
            {
                return Interop.read((int)fd.DangerousGetHandle(), p, buffer.Length);
            }
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }

    private static unsafe long RawWrite(FileDescriptorHandle fd, ReadOnlySpan<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(fd);
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            fixed (byte* p = buffer)
            {
                return Interop.write((int)fd.DangerousGetHandle(), p, buffer.Length);
            }
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }

    private static bool Completed(long rc, string callName, out int count)
    {
        count = 0;
        if (rc >= 0)
        {
            count = (int)rc;
            return true;
        }

        PosixErrno errno = Errors.LastErrno();
        return errno == PosixErrno.EAGAIN ? false : throw new PosixException(callName, errno);
    }

    /// <summary>Writes every byte, looping over partial writes.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="buffer">The bytes.</param>
    /// <exception cref="PosixException">write failed.</exception>
    public static void WriteAll(FileDescriptorHandle fd, ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Write(fd, buffer)..];
        }
    }

    /// <summary>Makes <paramref name="newFd"/> refer to what <paramref name="fd"/> refers to (dup2). The new number is not close-on-exec.</summary>
    /// <param name="fd">The open descriptor.</param>
    /// <param name="newFd">The number it should also have.</param>
    /// <returns>A handle that owns <paramref name="newFd"/>.</returns>
    /// <exception cref="PosixException">dup2 failed.</exception>
    public static FileDescriptorHandle Dup2(FileDescriptorHandle fd, int newFd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentOutOfRangeException.ThrowIfNegative(newFd);
        return new FileDescriptorHandle(fd.Use(n => Errors.ThrowIfNegative(Interop.dup2(n, newFd), "dup2")), ownsHandle: true);
    }

    /// <summary>Duplicates a descriptor to a new, close-on-exec number (fcntl F_DUPFD_CLOEXEC).</summary>
    /// <param name="fd">The open descriptor.</param>
    /// <returns>The new handle.</returns>
    /// <exception cref="PosixException">fcntl failed.</exception>
    public static FileDescriptorHandle Duplicate(FileDescriptorHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        return new FileDescriptorHandle(fd.Use(n => Errors.ThrowIfNegative(Interop.fcntl_F_DUPFD_CLOEXEC(n, 0), "fcntl(F_DUPFD_CLOEXEC)")), ownsHandle: true);
    }

    /// <summary>Waits for events on one descriptor (poll). EINTR is retried with the time left.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <param name="events">What to wait for: <see cref="PollEvents.In"/> and/or <see cref="PollEvents.Out"/>.</param>
    /// <param name="timeout">How long; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>What happened; <see cref="PollEvents.None"/> on timeout.</returns>
    /// <exception cref="PosixException">poll failed.</exception>
    public static unsafe PollEvents Poll(FileDescriptorHandle fd, PollEvents events, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(fd);
        int timeoutMs = ToPollTimeout(timeout);
        int revents = 0;
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            Errors.ThrowIfNegative(Interop.poll((int)fd.DangerousGetHandle(), (int)events, timeoutMs, &revents), "poll");
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }

        return (PollEvents)revents;
    }

    /// <summary>
    /// Waits for events on several descriptors at once (poll). EINTR is retried with the
    /// time left. The raw numbers are used: keep the handles open for the duration.
    /// </summary>
    /// <param name="fds">Descriptor numbers; a negative one is skipped.</param>
    /// <param name="events">What to wait for, one entry per descriptor.</param>
    /// <param name="happened">Receives what happened, one entry per descriptor.</param>
    /// <param name="timeout">How long; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>How many descriptors have events; 0 on timeout.</returns>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="PosixException">poll failed.</exception>
    public static unsafe int PollMany(ReadOnlySpan<int> fds, ReadOnlySpan<PollEvents> events, Span<PollEvents> happened, TimeSpan timeout)
    {
        if (events.Length != fds.Length || happened.Length != fds.Length)
        {
            throw new ArgumentException("fds, events and happened must have the same length.", nameof(events));
        }

        int timeoutMs = ToPollTimeout(timeout);
        fixed (int* f = fds)
        fixed (PollEvents* e = events)
        fixed (PollEvents* h = happened)
        {
            return Errors.ThrowIfNegative(Interop.poll_many(f, (int*)e, (int*)h, fds.Length, timeoutMs), "poll");
        }
    }

    /// <summary>The capacity of the pipe behind <paramref name="fd"/> in bytes (Linux: F_GETPIPE_SZ).</summary>
    /// <param name="fd">Either end of a pipe.</param>
    /// <returns>The capacity, e.g. 65536.</returns>
    /// <exception cref="PosixException">Not a pipe, or ENOTSUP where the platform cannot tell.</exception>
    public static int GetPipeCapacity(FileDescriptorHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        return fd.Use(n => Errors.ThrowIfNegative(Interop.fcntl_F_GETPIPE_SZ(n), "fcntl(F_GETPIPE_SZ)"));
    }

    internal static int ToPollTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero, nameof(timeout));
        return (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
    }
}
