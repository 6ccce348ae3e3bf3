using Mono.Unix.Native;

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
    public PosixException(string callName, Errno errno)
        : base(FormatMessage(callName, errno))
    {
        ArgumentException.ThrowIfNullOrEmpty(callName);
        CallName = callName;
        Errno = errno;
    }

    /// <summary>The C name of the call that failed, e.g. <c>"pipe2"</c>.</summary>
    public string CallName { get; }

    /// <summary>The portable errno (Mono.Posix's enum, the same names on Linux and macOS).</summary>
    public Errno Errno { get; }

    /// <summary>The errno's C name, e.g. <c>"EMFILE"</c>; aliases resolve to one name (EAGAIN, not EWOULDBLOCK).</summary>
    public string ErrnoName => ErrnoNames.Name(Errno);

    /// <summary>The errno's value on this platform, as the C library reported it.</summary>
    public int NativeErrno => NativeConvert.FromErrno(Errno);

    /// <summary>The C library's description of the errno (strerror).</summary>
    public string Description => ErrnoNames.Describe(Errno);

    private static string FormatMessage(string callName, Errno errno) =>
        $"{callName}: {ErrnoNames.Name(errno)} ({ErrnoNames.Describe(errno)})";
}
