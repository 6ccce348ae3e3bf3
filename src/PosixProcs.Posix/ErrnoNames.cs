using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>C names and descriptions of errno values.</summary>
public static class ErrnoNames
{
    /// <summary>
    /// The C name of <paramref name="errno"/>. Where C has two names for one value, the
    /// POSIX-preferred one is used (EAGAIN over EWOULDBLOCK, EDEADLK over EDEADLOCK,
    /// ENOTSUP over EOPNOTSUPP), so messages do not change between runs or platforms.
    /// </summary>
    /// <param name="errno">The portable errno.</param>
    /// <returns>The name, or <c>"unknown errno"</c> for <see cref="PosixErrno.Unknown"/>.</returns>
    public static string Name(PosixErrno errno) =>
        errno != PosixErrno.Unknown && Enum.IsDefined(errno) ? errno.ToString() : "unknown errno";

    /// <summary>The C library's text for <paramref name="errno"/> (strerror).</summary>
    /// <param name="errno">The portable errno.</param>
    /// <returns>The description, e.g. "Too many open files".</returns>
    public static string Describe(PosixErrno errno)
    {
        int native = Errors.ToNative(errno);
        return native < 0 ? Name(errno) : DescribeNative(native);
    }

    /// <summary>The C library's text for a native errno value (strerror_r, through the shim).</summary>
    internal static unsafe string DescribeNative(int nativeErrno)
    {
        byte* buffer = stackalloc byte[256];
        return Interop.strerror_r(nativeErrno, buffer, 256) == 0
            ? Marshal.PtrToStringUTF8((nint)buffer) ?? $"errno {nativeErrno}"
            : $"errno {nativeErrno}";
    }
}
