using System.Globalization;
using System.Text.Json.Nodes;
using PosixProcs.Labs;
using Spectre.Console;

namespace PosixProcs.Cli;

/// <summary>How a report is printed.</summary>
internal enum OutputMode
{
    /// <summary>Plain text: stdout is not a terminal (a file, a pipe, a grader).</summary>
    Plain,

    /// <summary>Colours and tables (Spectre.Console): stdout is a terminal.</summary>
    Rich,

    /// <summary>One JSON document, nothing else on stdout.</summary>
    Json,
}

/// <summary>Renders labs: narration while they run, a verdict, the tour's summary table, or JSON.</summary>
internal static class LabOutput
{
    /// <summary>Plain when stdout is redirected, rich on a terminal, JSON when asked.</summary>
    /// <param name="json">Whether --json was given.</param>
    /// <returns>The mode.</returns>
    public static OutputMode Choose(bool json) => json ? OutputMode.Json : Console.IsOutputRedirected ? OutputMode.Plain : OutputMode.Rich;

    /// <summary>The narrator for a mode.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>Plain, Spectre, or silent.</returns>
    public static ILabNarrator Narrator(OutputMode mode) => mode switch
    {
        OutputMode.Rich => new RichNarrator(),
        OutputMode.Plain => new PlainNarrator(),
        _ => SilentNarrator.Instance,
    };

    /// <summary>Runs a lab; if it stopped on an exception, the exception goes to stderr (the result says so too).</summary>
    /// <param name="lab">The lab.</param>
    /// <param name="context">Its context.</param>
    /// <returns>The result.</returns>
    public static LabResult Run(Lab lab, LabContext context)
    {
        LabResult result = lab.Execute(context);
        if (result.Error is not null)
        {
            Console.Error.WriteLine($"lab {lab.Name} stopped: {result.Error}");
        }

        return result;
    }

    /// <summary>The verdict after a lab's narration.</summary>
    /// <param name="result">The result.</param>
    /// <param name="mode">Plain or rich.</param>
    public static void Verdict(LabResult result, OutputMode mode)
    {
        string verdict = result.Verdict switch
        {
            LabVerdict.Held => "claim HOLDS",
            LabVerdict.Inconclusive => "claim INCONCLUSIVE (a timing check could not be judged on this busy machine; every other check held)",
            _ => "claim DOES NOT HOLD",
        };
        int inconclusive = result.Checks.Count(c => c.Verdict == LabVerdict.Inconclusive);
        string text = $"{verdict} ({result.Checks.Count(c => c.Holds)}/{result.Checks.Count} checks{(inconclusive > 0 ? $", {inconclusive} inconclusive" : string.Empty)}, {result.Elapsed.TotalSeconds:0.0} s)";
        if (mode == OutputMode.Rich)
        {
            AnsiConsole.MarkupLine($"[bold {Colour(result.Verdict)}]{Markup.Escape(text)}[/]");
            AnsiConsole.WriteLine();
        }
        else
        {
            Console.WriteLine(text);
            Console.WriteLine();
        }
    }

    /// <summary>The exit code for a verdict: 1 only when a claim really did not hold.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>0 for held or inconclusive, 1 for did not hold.</returns>
    public static int ExitCode(LabVerdict verdict) => verdict == LabVerdict.DidNotHold ? 1 : 0;

    /// <summary>A lab's result as JSON: claim, holds (every check held), verdict, evidence, every measurement by name, the checks.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON object.</returns>
    public static JsonObject ToJson(LabResult result)
    {
        var measurements = new JsonObject();
        var units = new JsonObject();
        foreach (Measurement m in result.Measurements)
        {
            measurements[m.Name] = m.Value switch
            {
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                bool b => JsonValue.Create(b),
                _ => JsonValue.Create(Convert.ToString(m.Value, CultureInfo.InvariantCulture)),
            };
            if (m.Unit.Length > 0)
            {
                units[m.Name] = m.Unit;
            }
        }

        var checks = new JsonArray();
        foreach (LabCheck check in result.Checks)
        {
            checks.Add(new JsonObject
            {
                ["name"] = check.Name,
                ["description"] = check.Description,
                ["holds"] = check.Holds,
                ["timing"] = check.Timing,
                ["verdict"] = check.Verdict.ToText(),
            });
        }

        var next = new JsonArray();
        foreach (string suggestion in result.Next)
        {
            next.Add(suggestion);
        }

        return new JsonObject
        {
            ["lab"] = result.Lab,
            ["title"] = result.Title,
            ["claim"] = result.Claim,
            ["holds"] = result.Holds,
            ["verdict"] = result.Verdict.ToText(),
            ["evidence"] = result.Evidence,
            ["error"] = result.Error,
            ["elapsedMs"] = Math.Round(result.Elapsed.TotalMilliseconds, 1),
            ["measurements"] = measurements,
            ["units"] = units,
            ["checks"] = checks,
            ["next"] = next,
        };
    }

    /// <summary>Prints a JSON node, indented.</summary>
    /// <param name="node">The node.</param>
    public static void PrintJson(JsonNode node) => Console.WriteLine(node.ToJsonString(CliJson.Options));

    /// <summary>The tour's summary table: lab, claim, measured evidence, verdict.</summary>
    /// <param name="results">The results.</param>
    /// <param name="mode">Plain or rich.</param>
    public static void SummaryTable(IReadOnlyList<LabResult> results, OutputMode mode)
    {
        if (mode == OutputMode.Rich)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]Summary[/]");
            table.AddColumn("lab");
            table.AddColumn("claim");
            table.AddColumn("measured evidence");
            table.AddColumn(new TableColumn("verdict").Centered());
            foreach (LabResult r in results)
            {
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape(r.Lab)}[/]"),
                    new Text(r.Claim),
                    new Text(r.Evidence),
                    new Markup($"[{Colour(r.Verdict)}]{Markup.Escape(TableText(r.Verdict))}[/]"));
            }

            AnsiConsole.Write(table);
            return;
        }

        Console.WriteLine("Summary");
        Console.WriteLine("| lab | claim | measured evidence | verdict |");
        Console.WriteLine("|---|---|---|---|");
        foreach (LabResult r in results)
        {
            Console.WriteLine($"| {r.Lab} | {r.Claim} | {r.Evidence} | {TableText(r.Verdict)} |");
        }
    }

    /// <summary>The line under the summary table, e.g. <c>10/11 claims held, 1 inconclusive, 0 did not hold in 41.2 s.</c></summary>
    /// <param name="results">The results.</param>
    /// <param name="elapsed">How long the tour took.</param>
    /// <returns>The line.</returns>
    public static string Tally(IReadOnlyList<LabResult> results, TimeSpan elapsed) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{results.Count(r => r.Verdict == LabVerdict.Held)}/{results.Count} claims held, {results.Count(r => r.Verdict == LabVerdict.Inconclusive)} inconclusive, {results.Count(r => r.Verdict == LabVerdict.DidNotHold)} did not hold in {elapsed.TotalSeconds:0.0} s.");

    /// <summary>"held", "inconclusive", or "DID NOT HOLD" (capitals: it must stand out in a table).</summary>
    private static string TableText(LabVerdict verdict) => verdict == LabVerdict.DidNotHold ? "DID NOT HOLD" : verdict.ToText();

    private static string Colour(LabVerdict verdict) => verdict switch
    {
        LabVerdict.Held => "green",
        LabVerdict.Inconclusive => "yellow",
        _ => "red",
    };

    private sealed class PlainNarrator : ILabNarrator
    {
        public void Section(string title)
        {
            Console.WriteLine($"== {title} ==");
        }

        public void Claim(string claim) => Console.WriteLine($"Claim: {claim}");

        public void Say(string text) => Console.WriteLine(text);

        public void Measured(string description, string value) => Console.WriteLine($"    {description}: {value}");

        public void Checked(string description, LabVerdict verdict) => Console.WriteLine($"  [{verdict switch { LabVerdict.Held => "ok", LabVerdict.Inconclusive => "inconclusive", _ => "FAILED" }}] {description}");

        public void Suggest(string text) => Console.WriteLine($"  next: {text}");
    }

    private sealed class RichNarrator : ILabNarrator
    {
        public void Section(string title) => AnsiConsole.Write(new Rule($"[bold yellow]{Markup.Escape(title)}[/]").LeftJustified());

        public void Claim(string claim) => AnsiConsole.MarkupLine($"[bold]Claim:[/] [italic]{Markup.Escape(claim)}[/]");

        public void Say(string text) => AnsiConsole.MarkupLine($"[bold]{Markup.Escape(text)}[/]");

        public void Measured(string description, string value) =>
            AnsiConsole.MarkupLine($"    [grey]{Markup.Escape(description)}:[/] [cyan]{Markup.Escape(value)}[/]");

        public void Checked(string description, LabVerdict verdict) => AnsiConsole.MarkupLine(verdict switch
        {
            LabVerdict.Held => $"  [green]✓[/] {Markup.Escape(description)}",
            LabVerdict.Inconclusive => $"  [yellow]? {Markup.Escape(description)}[/]",
            _ => $"  [red]✗ {Markup.Escape(description)}[/]",
        });

        public void Suggest(string text) => AnsiConsole.MarkupLine($"  [yellow]→ try:[/] {Markup.Escape(text)}");
    }
}
