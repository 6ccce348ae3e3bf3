using PosixProcs.Labs;

namespace PosixProcs.Cli;

/// <summary>How to start this command again: the apphost, or <c>dotnet PosixProcs.Cli.dll</c>.</summary>
internal static class SelfLauncher
{
    /// <summary>The command for a sacrificial copy of this program.</summary>
    /// <returns>The command, or null when the process path is unknown.</returns>
    public static SelfCommand? Command()
    {
        string? process = Environment.ProcessPath;
        if (process is null)
        {
            return null;
        }

        string dll = typeof(Program).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? new SelfCommand(process, [dll]) : new SelfCommand(process, []);
    }
}
