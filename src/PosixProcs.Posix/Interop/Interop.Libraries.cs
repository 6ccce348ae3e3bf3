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
            Shim => LoadShim(assembly, searchPath),
            _ => IntPtr.Zero,
        };
    }

    /// <summary>The runtime identifier whose shim this process needs: linux-x64, linux-arm64, osx-arm64, ...</summary>
    internal static string ShimRuntimeIdentifier =>
        (OperatingSystem.IsMacOS() ? "osx-" : "linux-") + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>
    /// Finds the shim where each kind of app has it: next to the assembly (a RID-specific
    /// publish flattens runtimes/), under runtimes/RID/native/ (a project reference, or a
    /// package in an app started without its deps.json, such as the pool's worker host), and
    /// then wherever the runtime's own probing finds it (a package in a portable app: the
    /// deps.json names runtimes/RID/native/).
    /// </summary>
    private static IntPtr LoadShim(Assembly assembly, DllImportSearchPath? searchPath)
    {
        string fileName = OperatingSystem.IsMacOS() ? "libposixprocs.dylib" : "libposixprocs.so";
        string directory = Path.GetDirectoryName(assembly.Location) is { Length: > 0 } location ? location : AppContext.BaseDirectory;
        string flat = Path.Combine(directory, fileName);
        string perRid = Path.Combine(directory, "runtimes", ShimRuntimeIdentifier, "native", fileName);
        foreach (string path in (ReadOnlySpan<string>)[flat, perRid])
        {
            if (File.Exists(path))
            {
                return NativeLibrary.Load(path);
            }
        }

        if (NativeLibrary.TryLoad(fileName, assembly, searchPath, out IntPtr handle))
        {
            return handle;
        }

        throw new DllNotFoundException(
            $"The PosixProcs native shim {fileName} for {ShimRuntimeIdentifier} was not found: not at {flat}, not at {perRid}, " +
            "and not on the runtime's native search path. The PosixProcs.Posix package carries it for linux-x64 and linux-arm64 " +
            "(macOS shims are built with `make native` on a Mac); from a source checkout, run `make native` at the repository's root.");
    }
}
