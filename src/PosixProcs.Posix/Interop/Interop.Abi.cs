using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>The native value of a PP_CONST_* id, or int.MinValue.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetPlatformConstant")]
    internal static partial int GetPlatformConstant(int id);

    /// <summary>The size (fieldIndex -1) or a field offset of a PP_STRUCT_* struct, or -1.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_GetStructLayout")]
    internal static partial int GetStructLayout(int structId, int fieldIndex);
}
