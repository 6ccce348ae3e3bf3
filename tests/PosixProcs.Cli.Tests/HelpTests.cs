using PosixProcs.CliTesting;

namespace PosixProcs.CliTests;

[Collection(CommandRuns.Name)]
public class HelpTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Fact]
    public void Help_RunAsDotnetDll_NamesTheCommandPosixprocs()
    {
        CliRun run = CliRunner.Run(Quick, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("posixprocs [command] [options]", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PosixProcs.Cli", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_IsAParseErrorWithCode2()
    {
        CliRun run = CliRunner.Run(Quick, "no-such-command");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-command", run.Error, StringComparison.Ordinal);
    }
}

[Collection(CommandRuns.Name)]
public class BenchReferencesTests
{
    [Fact]
    public void BenchHelp_DefaultReferences_AreNextToTheToolAndComplete()
    {
        CliRun run = CliRunner.Run(TimeSpan.FromSeconds(60), "bench", "--help");
        Assert.Equal(0, run.ExitCode);
        string toolDirectory = Path.GetDirectoryName(CliRunner.CliAssembly)!;
        string references = DefaultOf(run.Output, "--references");
        string scripts = DefaultOf(run.Output, "--scripts");
        Assert.StartsWith(toolDirectory, references, StringComparison.Ordinal);
        Assert.StartsWith(toolDirectory, scripts, StringComparison.Ordinal);
        foreach (string source in Directory.EnumerateFiles(Path.Combine(RepoRoot, "scripts", "bench", "c"), "*.c"))
        {
            string binary = Path.Combine(references, Path.GetFileNameWithoutExtension(source));
            Assert.True(File.Exists(binary), binary);
            Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(binary) & UnixFileMode.UserExecute);
        }

        foreach (string script in Directory.EnumerateFiles(Path.Combine(RepoRoot, "scripts", "bench", "python"), "*.py"))
        {
            Assert.True(File.Exists(Path.Combine(scripts, Path.GetFileName(script))), script);
        }
    }

    private static string RepoRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(CliRunner.CliAssembly)!, "..", "..", "..", "..", ".."));

    private static string DefaultOf(string help, string option)
    {
        string line = help.Split('\n').Single(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        int start = line.IndexOf("[default: ", StringComparison.Ordinal) + "[default: ".Length;
        return line[start..line.LastIndexOf(']')];
    }
}
