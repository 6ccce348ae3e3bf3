namespace PosixProcs;

/// <summary>
/// An errno, by its portable C name. The values are PosixProcs' own (0x10000 + n, as in
/// native/pp_errno.h), not any platform's: the shim converts from the platform's numbers in
/// one place, so the same failure has the same name on Linux and macOS.
/// <see cref="PosixException.NativeErrno"/> keeps the platform's number.
/// </summary>
/// <remarks>
/// Aliases read as one name: EWOULDBLOCK is <see cref="EAGAIN"/>, EDEADLOCK is
/// <see cref="EDEADLK"/>, EOPNOTSUPP is <see cref="ENOTSUP"/>.
/// </remarks>
public enum PosixErrno
{
    /// <summary>An errno without a portable name here; see <see cref="PosixException.NativeErrno"/>.</summary>
    Unknown = 0,

    /// <summary>EPERM.</summary>
    EPERM = 0x10001,

    /// <summary>ENOENT.</summary>
    ENOENT = 0x10002,

    /// <summary>ESRCH.</summary>
    ESRCH = 0x10003,

    /// <summary>EINTR.</summary>
    EINTR = 0x10004,

    /// <summary>EIO.</summary>
    EIO = 0x10005,

    /// <summary>ENXIO.</summary>
    ENXIO = 0x10006,

    /// <summary>E2BIG.</summary>
    E2BIG = 0x10007,

    /// <summary>ENOEXEC.</summary>
    ENOEXEC = 0x10008,

    /// <summary>EBADF.</summary>
    EBADF = 0x10009,

    /// <summary>ECHILD.</summary>
    ECHILD = 0x1000A,

    /// <summary>EAGAIN.</summary>
    EAGAIN = 0x1000B,

    /// <summary>ENOMEM.</summary>
    ENOMEM = 0x1000C,

    /// <summary>EACCES.</summary>
    EACCES = 0x1000D,

    /// <summary>EFAULT.</summary>
    EFAULT = 0x1000E,

    /// <summary>EBUSY.</summary>
    EBUSY = 0x1000F,

    /// <summary>EEXIST.</summary>
    EEXIST = 0x10010,

    /// <summary>EXDEV.</summary>
    EXDEV = 0x10011,

    /// <summary>ENODEV.</summary>
    ENODEV = 0x10012,

    /// <summary>ENOTDIR.</summary>
    ENOTDIR = 0x10013,

    /// <summary>EISDIR.</summary>
    EISDIR = 0x10014,

    /// <summary>EINVAL.</summary>
    EINVAL = 0x10015,

    /// <summary>ENFILE.</summary>
    ENFILE = 0x10016,

    /// <summary>EMFILE.</summary>
    EMFILE = 0x10017,

    /// <summary>ENOTTY.</summary>
    ENOTTY = 0x10018,

    /// <summary>ETXTBSY.</summary>
    ETXTBSY = 0x10019,

    /// <summary>EFBIG.</summary>
    EFBIG = 0x1001A,

    /// <summary>ENOSPC.</summary>
    ENOSPC = 0x1001B,

    /// <summary>ESPIPE.</summary>
    ESPIPE = 0x1001C,

    /// <summary>EROFS.</summary>
    EROFS = 0x1001D,

    /// <summary>EMLINK.</summary>
    EMLINK = 0x1001E,

    /// <summary>EPIPE.</summary>
    EPIPE = 0x1001F,

    /// <summary>EDOM.</summary>
    EDOM = 0x10020,

    /// <summary>ERANGE.</summary>
    ERANGE = 0x10021,

    /// <summary>EDEADLK.</summary>
    EDEADLK = 0x10022,

    /// <summary>ENAMETOOLONG.</summary>
    ENAMETOOLONG = 0x10023,

    /// <summary>ENOLCK.</summary>
    ENOLCK = 0x10024,

    /// <summary>ENOSYS.</summary>
    ENOSYS = 0x10025,

    /// <summary>ENOTEMPTY.</summary>
    ENOTEMPTY = 0x10026,

    /// <summary>ELOOP.</summary>
    ELOOP = 0x10027,

    /// <summary>ENOMSG.</summary>
    ENOMSG = 0x10028,

    /// <summary>EIDRM.</summary>
    EIDRM = 0x10029,

    /// <summary>EOVERFLOW.</summary>
    EOVERFLOW = 0x1002A,

    /// <summary>EILSEQ.</summary>
    EILSEQ = 0x1002B,

    /// <summary>ENOTSOCK.</summary>
    ENOTSOCK = 0x1002C,

    /// <summary>EDESTADDRREQ.</summary>
    EDESTADDRREQ = 0x1002D,

    /// <summary>EMSGSIZE.</summary>
    EMSGSIZE = 0x1002E,

    /// <summary>EPROTOTYPE.</summary>
    EPROTOTYPE = 0x1002F,

    /// <summary>ENOPROTOOPT.</summary>
    ENOPROTOOPT = 0x10030,

    /// <summary>EPROTONOSUPPORT.</summary>
    EPROTONOSUPPORT = 0x10031,

    /// <summary>ENOTSUP.</summary>
    ENOTSUP = 0x10032,

    /// <summary>EAFNOSUPPORT.</summary>
    EAFNOSUPPORT = 0x10033,

    /// <summary>EADDRINUSE.</summary>
    EADDRINUSE = 0x10034,

    /// <summary>EADDRNOTAVAIL.</summary>
    EADDRNOTAVAIL = 0x10035,

    /// <summary>ENETDOWN.</summary>
    ENETDOWN = 0x10036,

    /// <summary>ENETUNREACH.</summary>
    ENETUNREACH = 0x10037,

    /// <summary>ENETRESET.</summary>
    ENETRESET = 0x10038,

    /// <summary>ECONNABORTED.</summary>
    ECONNABORTED = 0x10039,

    /// <summary>ECONNRESET.</summary>
    ECONNRESET = 0x1003A,

    /// <summary>ENOBUFS.</summary>
    ENOBUFS = 0x1003B,

    /// <summary>EISCONN.</summary>
    EISCONN = 0x1003C,

    /// <summary>ENOTCONN.</summary>
    ENOTCONN = 0x1003D,

    /// <summary>ETIMEDOUT.</summary>
    ETIMEDOUT = 0x1003E,

    /// <summary>ECONNREFUSED.</summary>
    ECONNREFUSED = 0x1003F,

    /// <summary>EHOSTUNREACH.</summary>
    EHOSTUNREACH = 0x10040,

    /// <summary>EALREADY.</summary>
    EALREADY = 0x10041,

    /// <summary>EINPROGRESS.</summary>
    EINPROGRESS = 0x10042,

    /// <summary>ESTALE.</summary>
    ESTALE = 0x10043,

    /// <summary>EDQUOT.</summary>
    EDQUOT = 0x10044,

    /// <summary>ECANCELED.</summary>
    ECANCELED = 0x10045,

    /// <summary>EOWNERDEAD.</summary>
    EOWNERDEAD = 0x10046,

    /// <summary>ENOTRECOVERABLE.</summary>
    ENOTRECOVERABLE = 0x10047,

    /// <summary>EPROTO.</summary>
    EPROTO = 0x10048,

    /// <summary>EBADMSG.</summary>
    EBADMSG = 0x10049,
}
