using Mono.Unix.Native;

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
    /// <returns>The name, or <c>"errno N"</c> for a value without one.</returns>
    public static string Name(Errno errno) => errno switch
    {
        Errno.EAGAIN => "EAGAIN",
        Errno.EDEADLK => "EDEADLK",
        Errno.EOPNOTSUPP => "ENOTSUP",
        _ => Enum.IsDefined(errno) ? errno.ToString() : $"errno {(int)errno}",
    };

    /// <summary>The C library's text for <paramref name="errno"/> (strerror).</summary>
    /// <param name="errno">The portable errno.</param>
    /// <returns>The description, e.g. "Too many open files".</returns>
    public static string Describe(Errno errno)
    {
        try
        {
            return Syscall.strerror(errno) ?? Name(errno);
        }
        catch (ArgumentOutOfRangeException)
        {
            return Name(errno);
        }
    }
}
