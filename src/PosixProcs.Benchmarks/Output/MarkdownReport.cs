using System.Globalization;
using System.Text;

namespace PosixProcs.Benchmarks;

/// <summary>
/// <c>artifacts/bench/report.md</c>: the machine, the table, the ratio chart (an SVG file
/// next to it), then what missed its target with the known costs of the PosixProcs side,
/// what is pending and what failed.
/// </summary>
public static class MarkdownReport
{
    /// <summary>The chart's file name, next to the report.</summary>
    public const string ChartFileName = "ratios.svg";

    /// <summary>Renders the report.</summary>
    /// <param name="report">The run.</param>
    /// <param name="command">The command that produced it, shown so the run can be repeated.</param>
    /// <returns>The markdown text.</returns>
    public static string Render(BenchmarkReport report, string command)
    {
        ArgumentNullException.ThrowIfNull(report);
        IReadOnlyList<ResultRow> rows = report.Rows;
        var md = new StringBuilder();
        md.AppendLine("# PosixProcs benchmarks");
        md.AppendLine();
        md.AppendLine(Invariant($"Run `{command}` on {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Duration.TotalSeconds:0} s, {(report.Quick ? "quick" : "full")} sizes, {report.Rounds} rounds per benchmark."));
        md.AppendLine(Invariant($"Machine: {report.Machine.OperatingSystem}, {report.Machine.Architecture}, {report.Machine.ProcessorCount} logical CPUs, {report.Machine.Runtime}; Python: {report.Machine.Python}; 1-minute load average {report.Machine.Load}."));
        md.AppendLine();
        md.AppendLine("Each benchmark and its references ran interleaved: one repetition of each side per round, order alternating, after warm-up. " +
            "Values are medians with min..max over the rounds. A ratio is PosixProcs / reference in the figure's unit, taken within each round and then the median over rounds (paired, so load that hits a round hits both sides); for times (us, ms, s) lower is better, for rates higher. " +
            "Every repetition checked its work (echoed bytes, exit codes, byte counts, checksums).");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", ResultTable.Headers) + " |");
        md.AppendLine("|" + string.Concat(ResultTable.Headers.Select(_ => "---|")));
        foreach (IReadOnlyList<string> cells in ResultTable.Cells(rows))
        {
            md.AppendLine("| " + string.Join(" | ", cells.Select(EscapeCell)) + " |");
        }

        md.AppendLine();
        md.AppendLine($"![ratios]({ChartFileName})");
        md.AppendLine();

        List<BenchmarkResult> missed = [.. report.Results.Where(r => r.Comparisons.Any(c => c.Verdict == Verdict.Missed))];
        md.AppendLine("## Targets missed");
        md.AppendLine();
        if (missed.Count == 0)
        {
            md.AppendLine("None.");
        }

        foreach (BenchmarkResult result in missed)
        {
            foreach (ComparisonResult c in result.Comparisons.Where(c => c.Verdict == Verdict.Missed))
            {
                md.AppendLine(Invariant($"- **{result.Name}** vs {c.Reference}: {c.Ratio:0.00}x, target {c.Target}."));
            }

            if (result.Remarks is not null)
            {
                md.AppendLine($"  What the PosixProcs side pays that the reference does not: {result.Remarks}");
            }
        }

        md.AppendLine();
        md.AppendLine("## Pending: references measured, PosixProcs side not built yet");
        md.AppendLine();
        List<BenchmarkResult> pending = [.. report.Results.Where(r => r.Comparisons.Any(c => c.Verdict == Verdict.Pending))];
        if (pending.Count == 0)
        {
            md.AppendLine("None.");
        }

        foreach (BenchmarkResult result in pending)
        {
            md.AppendLine($"- **{result.Name}** ({result.Description}): {result.Note}; targets: " +
                string.Join(", ", result.Comparisons.Select(c => $"{c.Reference} {c.Target?.ToString() ?? "(no target)"}")) + ".");
        }

        List<BenchmarkResult> failed = [.. report.Results.Where(r => r.Comparisons.Any(c => c.Verdict == Verdict.Failed) || (r.Measured is null && r.Comparisons.Count == 0))];
        if (failed.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Failed");
            md.AppendLine();
            foreach (BenchmarkResult result in failed)
            {
                md.AppendLine($"- **{result.Name}**: {result.Note}");
            }
        }

        List<BenchmarkResult> remarked = [.. report.Results.Where(r => r.Remarks is not null && !missed.Contains(r))];
        if (remarked.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Known costs of the PosixProcs side");
            md.AppendLine();
            foreach (BenchmarkResult result in remarked)
            {
                md.AppendLine($"- **{result.Name}**: {result.Remarks}");
            }
        }

        return md.ToString();
    }

    /// <summary>Writes report.md and the chart into <paramref name="directory"/>.</summary>
    /// <param name="report">The run.</param>
    /// <param name="command">The command that produced it.</param>
    /// <param name="directory">The output directory; created if missing.</param>
    /// <returns>The report's path.</returns>
    public static string Write(BenchmarkReport report, string command, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ChartFileName), SvgRatioChart.Render(report.Rows));
        string path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, Render(report, command));
        return path;
    }

    private static string EscapeCell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
