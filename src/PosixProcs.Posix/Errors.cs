using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace PosixProcs;

/// <summary>The one place where a failed call's errno becomes an exception.</summary>
internal static class Errors
{
    /// <summary>The errno of the last P/Invoke made with SetLastError, in portable form.</summary>
    internal static Errno LastErrno() => FromNative(Marshal.GetLastPInvokeError());

    /// <summary>Translates a native errno value to the portable enum.</summary>
    internal static Errno FromNative(int nativeErrno)
    {
        try
        {
            return NativeConvert.ToErrno(nativeErrno);
        }
        catch (ArgumentOutOfRangeException)
        {
            return (Errno)nativeErrno;
        }
    }

    /// <summary>An exception for the last P/Invoke's errno.</summary>
    internal static PosixException Last(string callName) => new(callName, LastErrno());

    /// <summary>Throws for the last P/Invoke's errno when <paramref name="result"/> is negative.</summary>
    internal static int ThrowIfNegative(int result, string callName) => result < 0 ? throw Last(callName) : result;

    /// <inheritdoc cref="ThrowIfNegative(int, string)"/>
    internal static long ThrowIfNegative(long result, string callName) => result < 0 ? throw Last(callName) : result;
}
