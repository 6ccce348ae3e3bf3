using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

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
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliAssembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"posixprocs {string.Join(' ', args)} did not finish in {timeout.TotalSeconds:0} s");
        }

        if (!Task.WaitAll([output, error], TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"posixprocs {string.Join(' ', args)} exited, but something it started still holds its output open");
        }

        return new CliRun(process.ExitCode, output.Result, error.Result);
    }
}
