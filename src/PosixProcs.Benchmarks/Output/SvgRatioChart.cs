using System.Globalization;
using System.Security;
using System.Text;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A horizontal bar chart of the ratios, written as SVG by hand (no package): one bar per
/// comparison, drawn from 1x on a logarithmic axis so 0.5x and 2x are equally long, coloured
/// by verdict, with the target as a black tick on its row.
/// </summary>
public static class SvgRatioChart
{
    private const int Width = 960;
    private const int LabelWidth = 430;
    private const int RightMargin = 70;
    private const int RowHeight = 22;
    private const int Top = 40;
    private const int Bottom = 50;

    private static readonly double[] TickCandidates =
        [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    /// <summary>Renders the chart for every row that has a ratio.</summary>
    /// <param name="rows">The rows; those without a ratio (pending, failed) are left out.</param>
    /// <returns>The SVG document.</returns>
    public static string Render(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ResultRow[] bars = [.. rows.Where(r => r.Ratio is > 0)];
        int height = Top + Bottom + (Math.Max(1, bars.Length) * RowHeight);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">PosixProcs / reference (log scale; bars start at 1x; black tick = target)</text>\n");
        if (bars.Length == 0)
        {
            svg.Append(Invariant($"<text x=\"10\" y=\"{Top + 15}\">no ratios measured</text>\n</svg>\n"));
            return svg.ToString();
        }

        (double low, double high) = Range(bars);
        double Scale(double v) => LabelWidth + ((Math.Log(v) - Math.Log(low)) / (Math.Log(high) - Math.Log(low)) * (Width - LabelWidth - RightMargin));
        int plotBottom = Top + (bars.Length * RowHeight);

        foreach (double tick in TickCandidates.Where(t => t >= low && t <= high))
        {
            double x = Scale(tick);
            svg.Append(Invariant($"<line x1=\"{x:0.#}\" y1=\"{Top - 4}\" x2=\"{x:0.#}\" y2=\"{plotBottom}\" stroke=\"{(tick == 1 ? "#000" : "#ddd")}\"/>\n"));
            svg.Append(Invariant($"<text x=\"{x:0.#}\" y=\"{plotBottom + 16}\" text-anchor=\"middle\">{tick.ToString("0.###", CultureInfo.InvariantCulture)}x</text>\n"));
        }

        for (int i = 0; i < bars.Length; i++)
        {
            ResultRow row = bars[i];
            double ratio = row.Ratio!.Value;
            double y = Top + (i * RowHeight);
            double x1 = Scale(1), x2 = Scale(Math.Clamp(ratio, low, high));
            string colour = row.Verdict switch
            {
                Verdict.Met => "#2e7d32",
                Verdict.Missed => "#c62828",
                _ => "#78909c",
            };
            string label = Escape($"{row.Name} vs {row.ReferenceName}");
            svg.Append(Invariant($"<text x=\"{LabelWidth - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{label}</text>\n"));
            svg.Append(Invariant($"<rect x=\"{Math.Min(x1, x2):0.#}\" y=\"{y + 4}\" width=\"{Math.Max(1, Math.Abs(x2 - x1)):0.#}\" height=\"{RowHeight - 8}\" fill=\"{colour}\"><title>{label}: {ratio:0.###}x ({row.Verdict})</title></rect>\n"));
            double textX = ratio >= 1 ? x2 + 4 : x2 - 4;
            svg.Append(Invariant($"<text x=\"{textX:0.#}\" y=\"{y + 15}\" text-anchor=\"{(ratio >= 1 ? "start" : "end")}\">{ratio:0.##}x</text>\n"));
            if (row.TargetRatio is { } target && target >= low && target <= high)
            {
                double tx = Scale(target);
                svg.Append(Invariant($"<line x1=\"{tx:0.#}\" y1=\"{y + 1}\" x2=\"{tx:0.#}\" y2=\"{y + RowHeight - 1}\" stroke=\"#000\" stroke-width=\"3\"/>\n"));
            }
        }

        svg.Append(Invariant($"<text x=\"10\" y=\"{height - 10}\" fill=\"#555\">green: target met; red: missed; grey: no target. For times lower is better, for rates higher.</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The axis range: every ratio and target, and 1x, with a margin; at least 0.5x..2x.</summary>
    internal static (double Low, double High) Range(IReadOnlyList<ResultRow> bars)
    {
        IEnumerable<double> values = bars.Select(b => b.Ratio!.Value)
            .Concat(bars.Select(b => b.TargetRatio).OfType<double>())
            .Append(1.0);
        double low = Math.Min(0.5, values.Min() / 1.3);
        double high = Math.Max(2, values.Max() * 1.3);
        return (low, high);
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
