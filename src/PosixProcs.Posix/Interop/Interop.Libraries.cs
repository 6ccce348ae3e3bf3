using System.Reflection;
using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>The native libraries behind the P/Invoke declarations, and how they are found.</summary>
internal static partial class Interop
{
    internal const string Libc = "libc";
    internal const string Shim = "libposixprocs";

    static Interop() => NativeLibrary.SetDllImportResolver(typeof(Interop).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return name switch
        {
            Libc => NativeLibrary.Load(OperatingSystem.IsMacOS() ? "/usr/lib/libSystem.B.dylib" : "libc.so.6"),
            Shim => LoadShim(assembly),
            _ => IntPtr.Zero,
        };
    }

    private static IntPtr LoadShim(Assembly assembly)
    {
        string fileName = OperatingSystem.IsMacOS() ? "libposixprocs.dylib" : "libposixprocs.so";
        string directory = Path.GetDirectoryName(assembly.Location) is { Length: > 0 } location ? location : AppContext.BaseDirectory;
        string path = Path.Combine(directory, fileName);
        if (NativeLibrary.TryLoad(path, out IntPtr handle))
        {
            return handle;
        }

        throw new DllNotFoundException(
            $"The PosixProcs native shim was not found at {path}. " +
            "Build it with `make native` (or `make build`) at the root of the PosixProcs repository; " +
            "it is compiled from native/*.c and copied next to PosixProcs.Posix.dll.");
    }
}
