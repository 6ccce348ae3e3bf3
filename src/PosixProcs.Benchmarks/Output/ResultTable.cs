using System.Globalization;
using System.Text;
using Spectre.Console;

namespace PosixProcs.Benchmarks;

/// <summary>
/// The readable table: one line per comparison with both figures, the ratio and the verdict.
/// A Spectre.Console table on a terminal, aligned plain text otherwise (logs, CI, pipes).
/// </summary>
public static class ResultTable
{
    /// <summary>The column headers.</summary>
    public static IReadOnlyList<string> Headers { get; } =
        ["benchmark", "PosixProcs (median, min..max)", "reference", "reference (median, min..max)", "ratio", "target", "verdict"];

    /// <summary>The cells, one string per column, for each row.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The cells.</returns>
    public static IReadOnlyList<IReadOnlyList<string>> Cells(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows.Select(r => (IReadOnlyList<string>)
        [
            r.Name,
            Figure(r.Value, r.Min, r.Max, r.Unit),
            r.ReferenceName,
            Figure(r.ReferenceValue, r.ReferenceMin, r.ReferenceMax, r.Unit),
            r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-",
            r.Target ?? "-",
            VerdictText(r.Verdict),
        ])];
    }

    /// <summary>"met", "MISSED", "no target", "pending", "FAILED".</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The text.</returns>
    public static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Met => "met",
        Verdict.Missed => "MISSED",
        Verdict.NoTarget => "no target",
        Verdict.Pending => "pending",
        _ => "FAILED",
    };

    /// <summary>The table as aligned plain text, columns separated by two spaces.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The text, one line per row after a header and a rule.</returns>
    public static string RenderPlain(IReadOnlyList<ResultRow> rows)
    {
        IReadOnlyList<IReadOnlyList<string>> cells = Cells(rows);
        int[] widths = [.. Headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max())];
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values) =>
            text.AppendLine(string.Join("  ", values.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
        Line(Headers);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (IReadOnlyList<string> row in cells)
        {
            Line(row);
        }

        return text.ToString();
    }

    /// <summary>Writes the table to <paramref name="console"/> with Spectre.Console, verdicts coloured.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="console">The console.</param>
    public static void RenderSpectre(IReadOnlyList<ResultRow> rows, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string header in Headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        IReadOnlyList<IReadOnlyList<string>> cells = Cells(rows);
        for (int i = 0; i < cells.Count; i++)
        {
            string colour = rows[i].Verdict switch
            {
                Verdict.Met => "green",
                Verdict.Missed or Verdict.Failed => "red",
                Verdict.Pending => "grey",
                _ => "default",
            };
            table.AddRow([.. cells[i].Select((c, column) => column == cells[i].Count - 1 ? $"[{colour}]{Markup.Escape(c)}[/]" : Markup.Escape(c))]);
        }

        console.Write(table);
    }

    private static string Figure(double? value, double? min, double? max, string unit) =>
        value is { } v
            ? $"{Unit.FormatNumber(v)} {unit} ({Unit.FormatNumber(min ?? v)}..{Unit.FormatNumber(max ?? v)})"
            : "-";
}
