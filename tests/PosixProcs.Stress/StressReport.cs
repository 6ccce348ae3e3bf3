using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace PosixProcs.Stress;

/// <summary>The harness's two outputs: report.json with every number, and a table (plain text when redirected).</summary>
internal static class StressReport
{
    public static void WriteJson(string path, IReadOnlyList<CaseOutcome> outcomes, bool quick, TimeSpan elapsed)
    {
        var cases = new JsonArray();
        foreach (CaseOutcome o in outcomes)
        {
            var metrics = new JsonObject();
            foreach ((string key, JsonNode? value) in o.Metrics)
            {
                metrics[key] = value?.DeepClone();
            }

            cases.Add(new JsonObject
            {
                ["group"] = o.Spec.Group,
                ["name"] = o.Spec.Name,
                ["title"] = o.Spec.Title,
                ["launch"] = o.Spec.Launch.ToString(),
                ["pass"] = o.Passed,
                ["reason"] = o.Reason,
                ["ending"] = o.Ending,
                ["seconds"] = Math.Round(o.Seconds, 2),
                ["deadlineSeconds"] = o.Spec.Deadline.TotalSeconds,
                ["checks"] = new JsonArray(o.Checks.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["pass"] = c.Pass, ["detail"] = c.Detail }).ToArray()),
                ["metrics"] = metrics,
                ["notes"] = new JsonArray(o.Notes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
                ["stderrTail"] = new JsonArray(o.StandardErrorTail.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            });
        }

        var report = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["processors"] = Environment.ProcessorCount,
                ["loadAverage"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
                ["runtime"] = Environment.Version.ToString(),
            },
            ["quick"] = quick,
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
            ["passed"] = outcomes.Count(o => o.Passed),
            ["failed"] = outcomes.Count(o => !o.Passed),
            ["cases"] = cases,
        };
        File.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    public static void PrintTable(IReadOnlyList<CaseOutcome> outcomes, TimeSpan elapsed)
    {
        var table = new Table().Title("posixprocs stress").AddColumns("", "case", "result", "s", "numbers that decide it", "why it failed");
        foreach (CaseOutcome o in outcomes)
        {
            string numbers = string.Join(", ", o.Checks.Select(c => c.Detail).Where(d => d.Length > 0));
            table.AddRow(
                Markup.Escape(o.Spec.Group),
                Markup.Escape(o.Spec.Name),
                o.Passed ? "[green]pass[/]" : "[red]FAIL[/]",
                o.Seconds.ToString("0.0", CultureInfo.InvariantCulture),
                Markup.Escape(Shorten(numbers, 220)),
                Markup.Escape(Shorten(o.Passed ? string.Empty : o.Reason, 220)));
        }

        bool redirected = Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (redirected)
        {
            console.Profile.Width = 200; // a log file has no terminal width; keep rows readable
        }

        console.Write(table);
        console.WriteLine($"{outcomes.Count(o => o.Passed)} passed, {outcomes.Count(o => !o.Passed)} failed, {elapsed.TotalSeconds:0} s");
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
