namespace PosixProcs;

/// <summary>
/// A system call failed. The message reads like C: <c>"pipe2: EMFILE (Too many open files)"</c>.
/// </summary>
/// <remarks>
/// Every failed call in PosixProcs becomes this exception, built in one place
/// (<see cref="Errors"/>), so the same errno always gives the same type and text.
/// </remarks>
public class PosixException : Exception
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="callName">The C name of the call that failed, e.g. <c>"waitpid"</c>.</param>
    /// <param name="errno">The portable errno.</param>
    public PosixException(string callName, PosixErrno errno)
        : this(callName, errno, Errors.ToNative(errno))
    {
    }

    /// <summary>Creates the exception with the platform's number as the C library reported it.</summary>
    internal PosixException(string callName, PosixErrno errno, int nativeErrno)
        : base(FormatMessage(callName, errno, nativeErrno))
    {
        ArgumentException.ThrowIfNullOrEmpty(callName);
        CallName = callName;
        Errno = errno;
        NativeErrno = nativeErrno;
    }

    /// <summary>The C name of the call that failed, e.g. <c>"pipe2"</c>.</summary>
    public string CallName { get; }

    /// <summary>The portable errno (PosixProcs' own enum: the same names on Linux and macOS).</summary>
    public PosixErrno Errno { get; }

    /// <summary>The errno's C name, e.g. <c>"EMFILE"</c>; aliases resolve to one name (EAGAIN, not EWOULDBLOCK); <c>"errno N"</c> for one without a portable name.</summary>
    public string ErrnoName => NameOf(Errno, NativeErrno);

    /// <summary>The errno's value on this platform, as the C library reported it; -1 if not known.</summary>
    public int NativeErrno { get; }

    /// <summary>The C library's description of the errno (strerror).</summary>
    public string Description => NativeErrno < 0 ? ErrnoName : ErrnoNames.DescribeNative(NativeErrno);

    private static string NameOf(PosixErrno errno, int nativeErrno) =>
        errno == PosixErrno.Unknown ? $"errno {nativeErrno}" : ErrnoNames.Name(errno);

    private static string FormatMessage(string callName, PosixErrno errno, int nativeErrno) =>
        $"{callName}: {NameOf(errno, nativeErrno)} ({(nativeErrno < 0 ? NameOf(errno, nativeErrno) : ErrnoNames.DescribeNative(nativeErrno))})";
}
