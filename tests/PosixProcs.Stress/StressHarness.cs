using System.Diagnostics;
using System.Globalization;

namespace PosixProcs.Stress;

/// <summary>
/// The harness: runs the chosen cases one after another, each in its own bounded process,
/// within an overall time budget; prints the table, writes report.json, and exits non-zero
/// if any case failed or did not run.
/// </summary>
internal static class StressHarness
{
    public static int Run(string[] args)
    {
        bool quick = false;
        string output = Path.Combine("artifacts", "stress");
        string cli = Path.Combine("artifacts", "posixprocs");
        TimeSpan budget = TimeSpan.FromSeconds(450);
        string[]? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--only" when i + 1 < args.Length:
                    only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--output" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--cli" when i + 1 < args.Length:
                    cli = args[++i];
                    break;
                case "--budget" when i + 1 < args.Length:
                    budget = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                default:
                    Console.Error.WriteLine("usage: PosixProcs.Stress [--quick] [--only GROUP|CASE,...] [--output DIR] [--cli PATH] [--budget SECONDS]");
                    return 2;
            }
        }

        List<CaseSpec> cases = CaseCatalog.All
            .Where(c => only is null ? !c.Hidden : only.Contains(c.Name, StringComparer.Ordinal) || (!c.Hidden && only.Contains(c.Group, StringComparer.Ordinal)))
            .ToList();
        if (cases.Count == 0)
        {
            Console.Error.WriteLine("no case matches --only");
            return 2;
        }

        // Orphans of a case (a worker whose server died, a grandchild) come back to the harness,
        // which kills and reaps them after each case and counts them as that case's leftovers.
        Posix.ChildSubreaper = true;
        string cliPath = Path.GetFullPath(cli);
        var outcomes = new List<CaseOutcome>();
        Stopwatch clock = Stopwatch.StartNew();
        foreach (CaseSpec spec in cases)
        {
            TimeSpan left = budget - clock.Elapsed;
            if (left < TimeSpan.FromSeconds(5))
            {
                var skipped = new CaseOutcome(spec);
                skipped.HarnessFailures.Add($"not run: the harness budget of {budget.TotalSeconds:0} s was used up");
                outcomes.Add(skipped);
                continue;
            }

            Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0}s] {spec.Group} {spec.Name} ...");
            CaseOutcome outcome = CaseRunner.Run(spec, quick, cliPath, spec.Deadline < left ? spec.Deadline : left);
            Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0}s] {spec.Group} {spec.Name}: {(outcome.Passed ? "pass" : "FAIL")} ({outcome.Seconds:0.0} s){(outcome.Passed ? string.Empty : " " + outcome.Reason)}");
            outcomes.Add(outcome);
        }

        Directory.CreateDirectory(output);
        string reportPath = Path.Combine(output, "report.json");
        StressReport.WriteJson(reportPath, outcomes, quick, clock.Elapsed);
        StressReport.PrintTable(outcomes, clock.Elapsed);
        Console.WriteLine($"report: {reportPath}");
        return outcomes.All(o => o.Passed) ? 0 : 1;
    }
}
