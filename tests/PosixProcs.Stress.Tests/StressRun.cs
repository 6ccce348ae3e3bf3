using System.Text.Json.Nodes;
using PosixProcs.Testing;

namespace PosixProcs.Stress.Tests;

/// <summary>One case as the harness reported it in report.json.</summary>
/// <param name="Name">The case.</param>
/// <param name="Pass">The harness's verdict.</param>
/// <param name="Reason">Why it failed.</param>
/// <param name="Ending">How the case process ended.</param>
/// <param name="Metrics">Every number it recorded.</param>
/// <param name="Notes">What it noted on the way (errors seen, the processes behind a failed check).</param>
internal sealed record ReportedCase(string Name, bool Pass, string Reason, string Ending, JsonObject Metrics, IReadOnlyList<string> Notes)
{
    public override string ToString() =>
        $"{Name}: {(Pass ? "pass" : "FAIL")} ({Ending}) {Reason}{(Pass || Notes.Count == 0 ? string.Empty : "\n  " + string.Join("\n  ", Notes))}";
}

/// <summary>Runs the stress harness (quick sizes) in a separate process and reads its report.</summary>
internal static class StressRun
{
    private static readonly string HarnessPath = Path.Combine(AppContext.BaseDirectory, "PosixProcs.Stress.dll");

    /// <summary>Runs the named cases; returns the harness's exit code and each case's report.</summary>
    public static (int ExitCode, IReadOnlyList<ReportedCase> Cases) Run(params string[] cases)
    {
        string output = Directory.CreateTempSubdirectory("posixprocs-stress-test-").FullName;
        try
        {
            ScenarioResult result = DotnetProcess.Run(
                [HarnessPath, "--quick", "--only", string.Join(',', cases), "--output", output, "--budget", "240"],
                TimeSpan.FromSeconds(300));
            string report = Path.Combine(output, "report.json");
            Assert.True(File.Exists(report), $"no report.json\n{result}");
            var parsed = (JsonObject)JsonNode.Parse(File.ReadAllText(report))!;
            List<ReportedCase> reported = parsed["cases"]!.AsArray().Select(c => new ReportedCase(
                c!["name"]!.GetValue<string>(),
                c["pass"]!.GetValue<bool>(),
                c["reason"]!.GetValue<string>(),
                c["ending"]!.GetValue<string>(),
                (JsonObject)c["metrics"]!.DeepClone(),
                c["notes"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [])).ToList();
            return (result.ExitCode, reported);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Runs one case and asserts that it passed, showing the harness's reason if not.</summary>
    public static ReportedCase Passes(string name)
    {
        (int exitCode, IReadOnlyList<ReportedCase> cases) = Run(name);
        ReportedCase single = Assert.Single(cases);
        Assert.True(single.Pass, single.ToString());
        Assert.Equal(0, exitCode);
        return single;
    }

    public static long Number(this ReportedCase reported, string metric) => reported.Metrics[metric]!.GetValue<long>();
}
