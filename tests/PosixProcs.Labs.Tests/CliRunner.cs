using System.Reflection;
using System.Text.Json;
using PosixProcs.Testing;

namespace PosixProcs.CliTesting;

/// <summary>How a run of the posixprocs command ended.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Standard output parsed as JSON.</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Output);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the real posixprocs command (its build output, via dotnet) in a separate process, with a timeout.</summary>
public static class CliRunner
{
    /// <summary>The CLI's dll, from the path MSBuild recorded at build time.</summary>
    public static string CliAssembly { get; } =
        typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliAssembly").Value!;

    public static CliRun Run(TimeSpan timeout, params string[] args)
    {
        Assert.True(File.Exists(CliAssembly), $"the posixprocs build output is missing: {CliAssembly}");
        ScenarioResult run = DotnetProcess.Run([CliAssembly, .. args], timeout);
        return new CliRun(run.ExitCode, run.Output, run.Error);
    }
}
