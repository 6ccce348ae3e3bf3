using System.Text.Json;
using System.Text.RegularExpressions;
using PosixProcs.CliTesting;
using PosixProcs.Labs;
using PosixProcs.Testing;

namespace PosixProcs.CliTests;

/// <summary>One at a time: each test starts the command, and some of them fork and time things.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CommandRuns
{
    public const string Name = "command runs";
}

[Collection(CommandRuns.Name)]
public class LabCommandTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Fact]
    public void LabList_PrintsEveryLabOneLineEach_ExitsZero()
    {
        CliRun run = CliRunner.Run(Quick, "lab", "--list");
        Assert.Equal(0, run.ExitCode);
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(LabCatalog.All.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.StartsWith(LabCatalog.All[i].Name + " ", lines[i], StringComparison.Ordinal);
            Assert.Contains(LabCatalog.All[i].Summary, lines[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LabListJson_NamesSummariesAndClaims()
    {
        CliRun run = CliRunner.Run(Quick, "lab", "--list", "--json");
        Assert.Equal(0, run.ExitCode);
        JsonElement[] labs = run.Json.GetProperty("labs").EnumerateArray().ToArray();
        Assert.Equal(LabCatalog.All.Select(l => l.Name), labs.Select(l => l.GetProperty("name").GetString()));
        Assert.All(labs, l => Assert.False(string.IsNullOrEmpty(l.GetProperty("claim").GetString())));
    }

    [Fact]
    public void Lab_WithoutName_ListsAndExitsWithUsageCode2()
    {
        CliRun run = CliRunner.Run(Quick, "lab");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: posixprocs lab NAME", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lab_UnknownName_IsAParseErrorWithCode2()
    {
        CliRun run = CliRunner.Run(Quick, "lab", "no-such-lab");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no-such-lab", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lab")]
    [InlineData("tour")]
    public void Help_DescribesJsonAndExitCodes(string command)
    {
        CliRun run = CliRunner.Run(Quick, command, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--json", run.Output, StringComparison.Ordinal);
        Assert.Contains("Exit code", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RootHelp_ListsLabAndTour_HidesTheHelper()
    {
        CliRun run = CliRunner.Run(Quick, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("lab", run.Output, StringComparison.Ordinal);
        Assert.Contains("tour", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("lab-helper", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void LabJson_HasTheSharedShape()
    {
        CliRun run = CliRunner.Run(Quick, "lab", "fork", "--json");
        JsonElement json = run.Json;
        Assert.Equal("fork", json.GetProperty("lab").GetString());
        Assert.Equal(JsonValueKind.String, json.GetProperty("claim").ValueKind);
        Assert.Equal(JsonValueKind.String, json.GetProperty("evidence").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Object, json.GetProperty("measurements").ValueKind);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("measurements").GetProperty("childPid").ValueKind);
        Assert.Equal("ms", json.GetProperty("units").GetProperty("forkExitWaitMilliseconds").GetString());
        JsonElement[] checks = json.GetProperty("checks").EnumerateArray().ToArray();
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.Equal(JsonValueKind.String, c.GetProperty("name").ValueKind));
        Assert.All(checks, c => Assert.Equal(JsonValueKind.False, c.GetProperty("timing").ValueKind));
        Assert.All(checks, c => Assert.Equal(c.GetProperty("holds").GetBoolean() ? "held" : "did not hold", c.GetProperty("verdict").GetString()));
        bool holds = json.GetProperty("holds").GetBoolean();
        Assert.Equal(checks.All(c => c.GetProperty("holds").GetBoolean()), holds);
        Assert.Equal(holds ? "held" : "did not hold", json.GetProperty("verdict").GetString());
        Assert.Equal(holds ? 0 : 1, run.ExitCode);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("measurements").GetProperty("cpuShareAtStart").ValueKind);
        Assert.NotEmpty(json.GetProperty("next").EnumerateArray());
    }

    [Fact]
    public void LabPlain_WhenRedirected_TeachesWithoutEscapeCodes()
    {
        CliRun run = CliRunner.Run(Quick, "lab", "pipe");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("== pipe:", run.Output, StringComparison.Ordinal);
        Assert.Contains("Claim: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("[ok] ", run.Output, StringComparison.Ordinal);
        Assert.Contains("next: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("claim HOLDS", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tour_Json_EveryLabInOrder_ExitCodeMatchesVerdict()
    {
        // Hang protection only: on a saturated machine the tour takes several times its usual time.
        CliRun run = CliRunner.Run(TimeSpan.FromSeconds(1200), "tour", "--json");
        JsonElement json = run.Json;
        JsonElement[] labs = json.GetProperty("labs").EnumerateArray().ToArray();
        Assert.Equal(LabCatalog.All.Select(l => l.Name), labs.Select(l => l.GetProperty("lab").GetString()));
        string[] verdicts = labs.Select(l => l.GetProperty("verdict").GetString()!).ToArray();
        string verdict = json.GetProperty("verdict").GetString()!;
        Assert.Equal(verdicts.Contains("did not hold") ? "did not hold" : verdicts.Contains("inconclusive") ? "inconclusive" : "held", verdict);
        Assert.Equal(labs.All(l => l.GetProperty("holds").GetBoolean()), json.GetProperty("holds").GetBoolean());
        Assert.Equal(verdict == "did not hold" ? 1 : 0, run.ExitCode);
        Assert.All(labs, l => Assert.NotEmpty(l.GetProperty("measurements").EnumerateObject()));

        // Inconclusive only for a lab with a timing check that failed; the rest must hold on any load.
        foreach (JsonElement lab in labs)
        {
            foreach (JsonElement check in lab.GetProperty("checks").EnumerateArray())
            {
                bool timing = check.GetProperty("timing").GetBoolean();
                Assert.True(timing || check.GetProperty("holds").GetBoolean(), $"{lab.GetProperty("lab")}: {check.GetProperty("description")}\n{run}");
            }
        }

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Tour_Plain_EndsWithTheSummaryTable_NamesNoIssueNumbers()
    {
        CliRun run = CliRunner.Run(TimeSpan.FromSeconds(1200), "tour");
        Assert.Contains("| lab | claim | measured evidence | verdict |", run.Output, StringComparison.Ordinal);
        foreach (Lab lab in LabCatalog.All)
        {
            Assert.Matches($@"\| {Regex.Escape(lab.Name)} \| {Regex.Escape(lab.Claim)} \| [^\n]* \| (held|inconclusive|DID NOT HOLD) \|", run.Output);
        }

        Assert.Matches($@"\d+/{LabCatalog.All.Count} claims held, \d+ inconclusive, \d+ did not hold in \d+\.\d s\.", run.Output);
        Assert.Equal(run.Output.Contains("| DID NOT HOLD |", StringComparison.Ordinal) ? 1 : 0, run.ExitCode);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotMatch(IssueNumber, run.Output);
    }

    [Fact]
    public void BenchTexts_TargetsAndPendingNotes_NameNoIssueNumbers()
    {
        ScenarioResult texts = Scenarios.Run(typeof(LabCommandTests).Assembly, nameof(BenchTextScenarios.PrintBenchTexts), Quick);
        Assert.True(texts.ExitCode == 0, texts.ToString());
        Assert.Contains("<= ", texts.Output, StringComparison.Ordinal);
        Assert.Contains(">= ", texts.Output, StringComparison.Ordinal);
        Assert.Contains("waiting for ", texts.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(IssueNumber, texts.Output);
    }

    [Theory]
    [InlineData("the pool (issue 5)")]
    [InlineData("<= 1.1x (issue 3)")]
    [InlineData("Issue #4")]
    public void IssueNumber_MatchesTrackerReferences(string text) => Assert.Matches(IssueNumber, text);

    /// <summary>"issue" followed by a number: a reference to this project's tracker, which students and users do not read.</summary>
    private static readonly Regex IssueNumber = new(@"\bissues?\s*#?\d", RegexOptions.IgnoreCase);
}
