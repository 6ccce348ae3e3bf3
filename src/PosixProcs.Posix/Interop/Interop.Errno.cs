using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>The portable value (PP_ERRNO table) of a native errno, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_ConvertErrnoToPortable")]
    internal static partial int ConvertErrnoToPortable(int nativeErrno);

    /// <summary>The native errno of a portable value, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_ConvertErrnoToNative")]
    internal static partial int ConvertErrnoToNative(int portableErrno);

    /// <summary>The C name of a portable errno value (a static C string), or null.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetErrnoName")]
    internal static unsafe partial byte* GetErrnoName(int portableErrno);

    /// <summary>strerror_r into <paramref name="buffer"/>.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_StrError", SetLastError = true)]
    internal static unsafe partial int strerror_r(int nativeErrno, byte* buffer, int size);
}
