using PosixProcs.CliTesting;
using PosixProcs.Testing;

namespace PosixProcs.CliTests;

/// <summary>
/// <c>posixprocs init</c> execs the posixprocs-init that travels with the tool. The container
/// cases reuse the init contract (tests/PosixProcs.Posix.Tests/InitContract/init-contract.sh)
/// with the tool as the init: each runs it as PID 1 of a new PID namespace (root).
/// </summary>
[Collection(CommandRuns.Name)]
public sealed class InitCommandTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly string _work = Directory.CreateTempSubdirectory("posixprocs-init-cli-").FullName;

    [Fact]
    public void Init_ProgramExits7_ToolExits7()
    {
        CliRun run = CliRunner.Run(Limit, "init", "--", "sh", "-c", "exit 7");
        Assert.True(run.ExitCode == 7, run.ToString());
    }

    [Fact]
    public void Init_ProgramKilledBySigterm_ToolExits143()
    {
        CliRun run = CliRunner.Run(Limit, "init", "--", "sh", "-c", "kill -TERM $$");
        Assert.True(run.ExitCode == 128 + Signal.SIGTERM.Number, run.ToString());
    }

    [Theory]
    [InlineData("exit-code")]
    [InlineData("killed-by-signal")]
    [InlineData("orphans-reaped")]
    public void Init_AsPidOneOfNamespace_PassesTheInitContract(string contractCase)
    {
        // The contract runs "INIT -- PROGRAM": here INIT is the tool's init command.
        string tool = Path.Combine(_work, "posixprocs-init-command");
        File.WriteAllText(tool, $"#!/bin/sh\nexec dotnet '{CliRunner.CliAssembly}' init \"$@\"\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string script = Path.Combine(RepoRoot, "tests", "PosixProcs.Posix.Tests", "InitContract", "init-contract.sh");
        ScenarioResult result = ExternalProcess.Run("env", ["--default-signal", "bash", script, tool, contractCase], TimeSpan.FromSeconds(150));
        Assert.True(result.ExitCode == 0 && result.Output.StartsWith("PASS ", StringComparison.Ordinal), result.ToString());
    }

    [Fact]
    public void Init_AsPidOneOfNamespace_TheInitIsPidOneAndParentOfTheProgram()
    {
        // exec, not spawn: dotnet started as PID 1 hands PID 1 to posixprocs-init itself.
        ScenarioResult result = ExternalProcess.Run("unshare",
            ["--pid", "--fork", "--kill-child=SIGKILL", "--mount-proc", "dotnet", CliRunner.CliAssembly, "init", "--", "sh", "-c", "echo \"$(cat /proc/1/comm) $PPID\""],
            Limit);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("posixprocs-init 1", result.Output.Trim());
    }

    [Fact]
    public void Init_BinaryMissingNextToTheTool_Exits127NamingWhereItLooked()
    {
        string tool = CopyOfTheTool();
        string init = Path.Combine(tool, "runtimes", RuntimeIdentifier, "native", "posixprocs-init");
        File.Delete(init);
        ScenarioResult result = DotnetProcess.Run([Path.Combine(tool, "PosixProcs.Cli.dll"), "init", "--", "true"], Limit);
        Assert.True(result.ExitCode == 127, result.ToString());
        Assert.Contains($"not at {init}", result.Error, StringComparison.Ordinal);
        Assert.Contains($"not at {Path.Combine(tool, "posixprocs-init")}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_BinaryLostItsExecuteBits_MadeExecutableAndRun()
    {
        // What an extraction that drops file modes leaves: the tool restores execute where read is allowed.
        string tool = CopyOfTheTool();
        string init = Path.Combine(tool, "runtimes", RuntimeIdentifier, "native", "posixprocs-init");
        File.SetUnixFileMode(init, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ScenarioResult result = DotnetProcess.Run([Path.Combine(tool, "PosixProcs.Cli.dll"), "init", "--", "sh", "-c", "exit 7"], Limit);
        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(init));
    }

    [Fact]
    public void Init_NoProgram_UsageErrorWithCode2()
    {
        CliRun run = CliRunner.Run(Limit, "init");
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>The tool's build output, copied: a tool installed elsewhere looks next to itself.</summary>
    private string CopyOfTheTool()
    {
        string source = Path.GetDirectoryName(CliRunner.CliAssembly)!;
        string target = Path.Combine(_work, "tool");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    private static string RuntimeIdentifier =>
        (OperatingSystem.IsMacOS() ? "osx-" : "linux-") + System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    private static string RepoRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(CliRunner.CliAssembly)!, "..", "..", "..", "..", ".."));
}
