using System.CommandLine;
using PosixProcs.Benchmarks;
using Spectre.Console;

namespace PosixProcs.Cli;

/// <summary>
/// <c>posixprocs bench</c>: runs the benchmarks interleaved with their C and Python
/// references, prints the table and writes results.json, report.md and ratios.svg.
/// Progress goes to stderr as plain lines while measuring: a live display would start a
/// thread, and this process forks.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Smaller sizes and fewer rounds (under 2 minutes)." };
        var json = new Option<bool>("--json") { Description = "Print results.json to stdout instead of the table." };
        var filter = new Option<string?>("--filter") { Description = "Run only benchmarks and reference suites whose name contains NAME.", HelpName = "NAME" };
        var rounds = new Option<int?>("--rounds") { Description = "Timed rounds per benchmark (default 9, quick 5).", HelpName = "N" };
        var references = new Option<string>("--references") { Description = "Directory of the compiled C references.", DefaultValueFactory = _ => ToolReferences.CDirectory, HelpName = "DIR" };
        var scripts = new Option<string>("--scripts") { Description = "Directory of the Python references.", DefaultValueFactory = _ => ToolReferences.PythonDirectory, HelpName = "DIR" };
        var output = new Option<string>("--output") { Description = "Where results.json, report.md and ratios.svg go.", DefaultValueFactory = _ => "artifacts/bench", HelpName = "DIR" };
        var python = new Option<string?>("--python") { Description = "The Python interpreter (default: the binary behind python3 on PATH).", HelpName = "PATH" };
        var command = new Command("bench", "Benchmarks PosixProcs against C and Python references, interleaved in one run.")
        {
            quick, json, filter, rounds, references, scripts, output, python,
        };
        command.SetAction(result =>
        {
            bool isQuick = result.GetValue(quick);
            var settings = new BenchmarkSettings
            {
                Quick = isQuick,
                Rounds = result.GetValue(rounds) ?? (isQuick ? 5 : 9),
                Filter = result.GetValue(filter),
                ReferencesDirectory = result.GetValue(references)!,
                ScriptsDirectory = result.GetValue(scripts)!,
                PythonExecutable = result.GetValue(python),
                ToolCommand = SelfLauncher.Command() is { } self ? [self.Path, .. self.LeadingArguments] : null,
            };
            return Run(settings, result.GetValue(json), result.GetValue(output)!, "posixprocs " + string.Join(' ', result.Tokens.Select(t => t.Value)));
        });
        return command;
    }

    private static int Run(BenchmarkSettings settings, bool json, string outputDirectory, string commandLine)
    {
        // Refuse up front, with the fix, rather than failing every fork benchmark one by one.
        ForkHazards hazards = ForkSafety.Check(out IReadOnlyList<string> threads);
        if ((hazards & (ForkHazards.WriteXorExecute | ForkHazards.TieredCompilation)) != ForkHazards.None)
        {
            Console.Error.WriteLine(ForkSafety.Describe(hazards, threads));
            return 1;
        }

        BenchmarkReport report = BenchmarkRunner.Run(settings, Console.Error);
        string resultsPath = Path.Combine(outputDirectory, "results.json");
        ResultsJson.Write(report, resultsPath);
        string reportPath = MarkdownReport.Write(report, commandLine, outputDirectory);

        IReadOnlyList<ResultRow> rows = report.Rows;
        if (json)
        {
            Console.WriteLine(ResultsJson.Serialize(report));
        }
        else if (Console.IsOutputRedirected)
        {
            Console.Write(ResultTable.RenderPlain(rows));
        }
        else
        {
            ResultTable.RenderSpectre(rows, AnsiConsole.Console);
        }

        Console.Error.WriteLine($"{rows.Count(r => r.Verdict == Verdict.Met)} targets met, {rows.Count(r => r.Verdict == Verdict.Missed)} missed, " +
            $"{rows.Count(r => r.Verdict == Verdict.Pending)} pending, {rows.Count(r => r.Verdict == Verdict.Failed)} failed; " +
            $"{report.Duration.TotalSeconds:0} s. Wrote {resultsPath} and {reportPath}.");
        return rows.Any(r => r.Verdict == Verdict.Failed) ? 1 : 0;
    }
}
