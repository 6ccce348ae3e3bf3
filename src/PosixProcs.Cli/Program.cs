using System.CommandLine;
using System.CommandLine.Help;

namespace PosixProcs.Cli;

/// <summary>The posixprocs command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the command.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code: 0 success, 1 a claim did not hold or a job failed, 2 bad usage; `init` ends with its program's code (see InitCommand).</returns>
    public static int Main(string[] args)
    {
        // A named command, not RootCommand: RootCommand takes its name from the entry assembly,
        // which is PosixProcs.Cli (run as `dotnet PosixProcs.Cli.dll` by the tool and the launcher).
        Command root = new("posixprocs", "posixprocs: POSIX processes from .NET (fork, pipes, copy-on-write, spawn, pools), with labs that measure what they claim.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        root.Subcommands.Add(TourCommand.Create());
        root.Subcommands.Add(LabHelperCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        ParseResult parsed = root.Parse(args);
        int code = parsed.Invoke();
        return parsed.Errors.Count > 0 ? 2 : code;
    }
}
