using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using PosixProcs.Labs;

namespace PosixProcs.Cli;

/// <summary><c>posixprocs tour</c>: every lab in teaching order, then a summary table. What <c>make demo</c> runs.</summary>
internal static class TourCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print every lab's result and the overall verdict as one JSON document." };
        var command = new Command("tour", "Runs every lab in teaching order (a few seconds each) and ends with a summary table: lab, claim, measured evidence, verdict. Exit code 0 if every claim held or was inconclusive (a timing check on a busy machine), 1 if any did not hold.")
        {
            json,
        };
        command.SetAction(result => Run(result.GetValue(json)));
        return command;
    }

    private static int Run(bool json)
    {
        OutputMode mode = LabOutput.Choose(json);
        ILabNarrator narrator = LabOutput.Narrator(mode);
        var context = new LabContext(narrator, SelfLauncher.Command());
        Stopwatch elapsed = Stopwatch.StartNew();
        var results = new List<LabResult>();
        if (mode != OutputMode.Json)
        {
            narrator.Say($"posixprocs tour: {LabCatalog.All.Count} labs ({string.Join(", ", LabCatalog.All.Select(l => l.Name))}). Each states a claim, measures it in this run, and checks it; the summary table comes last.");
            Console.WriteLine();
        }

        foreach (Lab lab in LabCatalog.All)
        {
            LabResult result = LabOutput.Run(lab, context);
            results.Add(result);
            if (mode != OutputMode.Json)
            {
                LabOutput.Verdict(result, mode);
            }
        }

        LabVerdict verdict = LabVerdictText.Combine(results.Select(r => r.Verdict));
        if (mode == OutputMode.Json)
        {
            var labs = new JsonArray();
            foreach (LabResult result in results)
            {
                labs.Add(LabOutput.ToJson(result));
            }

            LabOutput.PrintJson(new JsonObject
            {
                ["holds"] = results.All(r => r.Holds),
                ["verdict"] = verdict.ToText(),
                ["elapsedMs"] = Math.Round(elapsed.Elapsed.TotalMilliseconds, 1),
                ["labs"] = labs,
            });
        }
        else
        {
            LabOutput.SummaryTable(results, mode);
            Console.WriteLine(LabOutput.Tally(results, elapsed.Elapsed));
        }

        return LabOutput.ExitCode(verdict);
    }
}
