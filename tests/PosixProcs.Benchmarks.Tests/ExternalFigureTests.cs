namespace PosixProcs.Benchmarks.Tests;

public class ExternalFigureTests
{
    private const string CLine = """{"name":"c.pipe_pingpong_64B","unit":"us","value":22.1093,"min":21.5484,"max":22.8209,"repetitions":5,"count":100000,"checksum":12732240}""";
    private const string PythonLine = """{"name": "py.ppe_submit", "unit": "tasks/s", "value": 6208.08, "min": 5696.8, "max": 6991.4, "repetitions": 3, "count": 6000, "checksum": 6003000}""";

    [Fact]
    public void Parse_CReferenceLine_ReadsEveryField()
    {
        ExternalFigure f = ExternalFigure.Parse(CLine);
        Assert.Equal("c.pipe_pingpong_64B", f.Name);
        Assert.Equal(Unit.Microseconds, f.Unit);
        Assert.Equal(new Summary(22.1093, 21.5484, 22.8209, 5), f.Summary);
        Assert.Equal(100000UL, f.Count);
        Assert.Equal(12732240UL, f.Checksum);
    }

    [Fact]
    public void ParseAll_MixedOutputWithBlankLines_ReadsEachFigure()
    {
        IReadOnlyList<ExternalFigure> all = ExternalFigure.ParseAll(CLine + "\n\n" + PythonLine + "\n");
        Assert.Equal(["c.pipe_pingpong_64B", "py.ppe_submit"], all.Select(f => f.Name));
        Assert.Equal(Unit.TasksPerSecond, all[1].Unit);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"name":"x","unit":"us","value":1,"min":1,"max":1,"repetitions":1,"count":1}""")]
    [InlineData("""{"name":"x","unit":"us","value":5,"min":6,"max":7,"repetitions":1,"count":1,"checksum":1}""")]
    [InlineData("""{"name":"x","unit":"parsecs","value":1,"min":1,"max":1,"repetitions":1,"count":1,"checksum":1}""")]
    [InlineData("""{"name":"x","unit":"us","value":1,"min":1,"max":1,"repetitions":0,"count":1,"checksum":1}""")]
    public void Parse_IncompleteOrInconsistent_FormatException(string line) =>
        Assert.Throws<FormatException>(() => ExternalFigure.Parse(line));

    [Fact]
    public void Check_ExpectedFigure_ReturnsIt()
    {
        ExternalFigure f = ExternalFigure.Parse(CLine);
        Assert.Same(f, f.Check("c.pipe_pingpong_64B", Unit.Microseconds, 100000));
    }

    [Fact]
    public void Check_CountDiffers_Throws()
    {
        var e = Assert.Throws<BenchmarkCheckException>(() => ExternalFigure.Parse(CLine).Check("c.pipe_pingpong_64B", Unit.Microseconds, 99999));
        Assert.Contains("100000 operations, 99999 were asked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OtherNameOrUnit_Throws()
    {
        ExternalFigure f = ExternalFigure.Parse(CLine);
        Assert.Throws<BenchmarkCheckException>(() => f.Check("c.pipe_pingpong_1B", Unit.Microseconds, 100000));
        Assert.Throws<BenchmarkCheckException>(() => f.Check("c.pipe_pingpong_64B", Unit.Milliseconds, 100000));
    }

    [Fact]
    public void Check_ZeroChecksum_Throws()
    {
        ExternalFigure f = ExternalFigure.Parse(CLine.Replace("12732240", "0", StringComparison.Ordinal));
        Assert.Throws<BenchmarkCheckException>(() => f.Check("c.pipe_pingpong_64B", Unit.Microseconds, 100000));
    }
}
