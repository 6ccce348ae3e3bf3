using System.Runtime.InteropServices;

namespace PosixProcs.Cli;

/// <summary>
/// The benchmark references that travel with the tool: bench/c/RID/ (compiled C programs for
/// each machine) and bench/python/, next to the tool's own assembly, so `posixprocs bench`
/// works from any directory, installed or not.
/// </summary>
internal static class ToolReferences
{
    private static string ToolDirectory => AppContext.BaseDirectory;

    /// <summary>The compiled C references for this machine (linux-x64, linux-arm64, ...).</summary>
    public static string CDirectory
    {
        get
        {
            string rid = (OperatingSystem.IsMacOS() ? "osx-" : "linux-") + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string directory = Path.Combine(ToolDirectory, "bench", "c", rid);
            RestoreExecutableBits(directory);
            return directory;
        }
    }

    /// <summary>The Python references.</summary>
    public static string PythonDirectory => Path.Combine(ToolDirectory, "bench", "python");

    /// <summary>
    /// NuGet does not keep file modes: an installed tool's C references arrive without their
    /// execute bits. They are the tool's own files, so they get them back here.
    /// </summary>
    private static void RestoreExecutableBits(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(directory))
        {
            UnixFileMode mode = File.GetUnixFileMode(file);
            const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(file, mode | Execute);
            }
        }
    }
}
