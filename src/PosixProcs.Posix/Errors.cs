using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>The one place where a failed call's errno becomes an exception.</summary>
internal static class Errors
{
    /// <summary>The native errno of the last P/Invoke made with SetLastError.</summary>
    internal static int LastNativeErrno() => Marshal.GetLastPInvokeError();

    /// <summary>The errno of the last P/Invoke made with SetLastError, in portable form.</summary>
    internal static PosixErrno LastErrno() => FromNative(LastNativeErrno());

    /// <summary>Translates a native errno value to the portable enum (by the shim, in C).</summary>
    internal static PosixErrno FromNative(int nativeErrno)
    {
        int portable = Interop.ConvertErrnoToPortable(nativeErrno);
        return portable < 0 ? PosixErrno.Unknown : (PosixErrno)portable;
    }

    /// <summary>This platform's number for a portable errno, or -1 (<see cref="PosixErrno.Unknown"/>).</summary>
    internal static int ToNative(PosixErrno errno) => errno == PosixErrno.Unknown ? -1 : Interop.ConvertErrnoToNative((int)errno);

    /// <summary>An exception for the last P/Invoke's errno.</summary>
    internal static PosixException Last(string callName)
    {
        int native = LastNativeErrno();
        return new PosixException(callName, FromNative(native), native);
    }

    /// <summary>Throws for the last P/Invoke's errno when <paramref name="result"/> is negative.</summary>
    internal static int ThrowIfNegative(int result, string callName) => result < 0 ? throw Last(callName) : result;

    /// <inheritdoc cref="ThrowIfNegative(int, string)"/>
    internal static long ThrowIfNegative(long result, string callName) => result < 0 ? throw Last(callName) : result;
}
