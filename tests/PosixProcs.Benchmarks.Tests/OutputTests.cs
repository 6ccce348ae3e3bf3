using System.Xml.Linq;

namespace PosixProcs.Benchmarks.Tests;

public class OutputTests
{
    private static readonly BenchmarkReport Report = SampleReport.Create();

    [Fact]
    public void Rows_OnePerComparison_MissingValuesAreNull()
    {
        IReadOnlyList<ResultRow> rows = Report.Rows;
        Assert.Equal(5, rows.Count);
        Assert.Equal(["c.posix_spawn_true", "dotnet.process_start_true", "c.futex_pingpong", "py.ppe_submit", "c.pipe_pingpong_1B"], rows.Select(r => r.ReferenceName));
        Assert.Equal(1.2, rows[0].Ratio!.Value, 10);
        Assert.Equal(Verdict.Missed, rows[0].Verdict);
        Assert.Equal(1.1, rows[0].TargetRatio);
        Assert.Null(rows[3].Value);
        Assert.Equal(5800, rows[3].ReferenceValue);
        Assert.Null(rows[3].Ratio);
    }

    [Fact]
    public void ResultsJson_RoundTrips_WithEnumsAsText()
    {
        string json = ResultsJson.Serialize(Report);
        Assert.Contains("\"verdict\": \"Missed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"referenceName\": \"c.posix_spawn_true\"", json, StringComparison.Ordinal);
        Assert.Contains("\"value\": null", json, StringComparison.Ordinal);
        Assert.Contains("\"target\": \"<= 1.1x (issue 3)\"", json, StringComparison.Ordinal);

        ResultsDocument read = ResultsJson.Deserialize(json);
        Assert.Equal(Report.Rows, read.Results);
        Assert.Equal(95, read.DurationSeconds);
        Assert.Equal(Report.Machine, read.Machine);
    }

    [Fact]
    public void ResultsJson_Write_CreatesDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pp-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(directory, "sub", "results.json");
            ResultsJson.Write(Report, path);
            Assert.Equal(5, ResultsJson.Deserialize(File.ReadAllText(path)).Results.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Markdown_HasTableChartAndSections()
    {
        string md = MarkdownReport.Render(Report, "posixprocs bench --quick");
        Assert.Contains("`posixprocs bench --quick`", md, StringComparison.Ordinal);
        Assert.Contains("1-minute load average 0.50 at start, 1.20 at end", md, StringComparison.Ordinal);
        Assert.Contains("| benchmark | PosixProcs (median, min..max) |", md, StringComparison.Ordinal);
        Assert.Contains("![ratios](ratios.svg)", md, StringComparison.Ordinal);
        Assert.Contains("- **posix.spawn_true** vs c.posix_spawn_true: 1.20x, target <= 1.1x (issue 3).", md, StringComparison.Ordinal);
        Assert.Contains("argv and the environment are converted on every call", md, StringComparison.Ordinal);
        Assert.Contains("- **pool.trivial_tasks** (trivial tasks <2 workers>): waiting for the pool (issue 5); targets: py.ppe_submit >= 30x (issue 5).", md, StringComparison.Ordinal);
        Assert.Contains("## Failed", md, StringComparison.Ordinal);
        Assert.Contains("- **posix.pipe_pingpong_1B**: posix.pipe_pingpong_1B: child 123 exited with code 70", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_IsWellFormed_OneBarPerRatio_TargetTicks()
    {
        XDocument svg = XDocument.Parse(SvgRatioChart.Render(Report.Rows));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var bars = svg.Descendants(ns + "rect").Where(r => r.Element(ns + "title") is not null).ToList();
        Assert.Equal(3, bars.Count);
        Assert.Equal("#c62828", bars[0].Attribute("fill")!.Value);
        Assert.Equal("#78909c", bars[1].Attribute("fill")!.Value);
        Assert.Equal("#2e7d32", bars[2].Attribute("fill")!.Value);
        Assert.Equal(2, svg.Descendants(ns + "line").Count(l => l.Attribute("stroke-width")?.Value == "3"));
    }

    [Fact]
    public void Svg_NoRatios_StillWellFormed() =>
        Assert.Contains("no ratios measured", XDocument.Parse(SvgRatioChart.Render([])).ToString(), StringComparison.Ordinal);

    [Fact]
    public void Svg_Range_CoversRatiosTargetsAndOne()
    {
        IReadOnlyList<ResultRow> rows = Report.Rows;
        (double low, double high) = SvgRatioChart.Range([.. rows.Where(r => r.Ratio is not null)]);
        Assert.True(low <= 0.5 && high >= 2);
        Assert.True(low < 0.5 / 1.2 && high > 1.2);
    }

    [Fact]
    public void PlainTable_AlignedColumns_OneLinePerRow()
    {
        string[] lines = ResultTable.RenderPlain(Report.Rows).TrimEnd().Split('\n');
        Assert.Equal(2 + 5, lines.Length);
        Assert.StartsWith("benchmark ", lines[0], StringComparison.Ordinal);
        Assert.Matches("^-+  -+", lines[1]);
        int column = lines[0].IndexOf("reference ", StringComparison.Ordinal);
        Assert.All(lines.Skip(2), line => Assert.Equal(' ', line[column - 1]));
        Assert.Contains("1.20x", lines[2], StringComparison.Ordinal);
        Assert.Contains("MISSED", lines[2], StringComparison.Ordinal);
        Assert.Contains("pending", lines[5], StringComparison.Ordinal);
        Assert.Contains("FAILED", lines[6], StringComparison.Ordinal);
    }

    [Fact]
    public void SpectreTable_RendersEveryRow()
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 250;
        var writer = (StringWriter)console.Profile.Out.Writer;
        ResultTable.RenderSpectre(Report.Rows, console);
        string text = writer.ToString();
        Assert.Contains("c.posix_spawn_true", text, StringComparison.Ordinal);
        Assert.Contains("MISSED", text, StringComparison.Ordinal);
        Assert.Contains("pending", text, StringComparison.Ordinal);
    }
}
