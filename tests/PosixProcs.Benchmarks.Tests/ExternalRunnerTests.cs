namespace PosixProcs.Benchmarks.Tests;

/// <summary>Runs real (tiny) programs through Posix.Spawn; no timing is asserted.</summary>
public class ExternalRunnerTests
{
    private const string Figure = """{"name":"c.demo","unit":"ms","value":2.5,"min":2,"max":3,"repetitions":1,"count":40,"checksum":7}""";

    private static ExternalCommand Shell(string script) => new("/bin/sh", ["-c", script, "sh"]);

    [Fact]
    public void Run_ReturnsStandardOutput() =>
        Assert.Equal("one\ntwo\n", ExternalRunner.Run(Shell("echo one; echo two"), TimeSpan.FromSeconds(30)));

    [Fact]
    public void Run_NonZeroExit_CheckFails()
    {
        var e = Assert.Throws<BenchmarkCheckException>(() => ExternalRunner.Run(Shell("exit 3"), TimeSpan.FromSeconds(30)));
        Assert.Contains("exited with code 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TooSlow_KilledAndCheckFails()
    {
        var e = Assert.Throws<BenchmarkCheckException>(() => ExternalRunner.Run(Shell("sleep 30"), TimeSpan.FromMilliseconds(300)));
        Assert.Contains("did not finish", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingProgram_SaysHowToBuildReferences()
    {
        var e = Assert.Throws<BenchmarkCheckException>(() => ExternalRunner.Run(new ExternalCommand("/nonexistent/fork_wait", []), TimeSpan.FromSeconds(30)));
        Assert.Contains("make bench-references", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalMeasurement_ReadsItsFigure_ConvertedOnRequest()
    {
        var measurement = new ExternalMeasurement("c.demo", Unit.Milliseconds, Shell($"echo '{Figure}'"), 40, 1, TimeSpan.FromSeconds(30));
        Assert.Equal(2.5, measurement.MeasureOnce());
        Assert.Equal(2500, measurement.In(Unit.Microseconds).MeasureOnce(), 9);
        Assert.Equal(Unit.Microseconds, measurement.In(Unit.Microseconds).Unit);
    }

    [Fact]
    public void ExternalMeasurement_PassesOneRepetitionAndWarmUp()
    {
        // The script echoes a figure only if it was asked for exactly one timed repetition.
        string script = $"[ \"$1 $2 $3 $4\" = \"--repetitions 1 --warmup 2\" ] && echo '{Figure}'";
        var measurement = new ExternalMeasurement("c.demo", Unit.Milliseconds, Shell(script), 40, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2.5, measurement.MeasureOnce());
    }

    [Fact]
    public void ExternalMeasurement_WrongCount_CheckFails()
    {
        var measurement = new ExternalMeasurement("c.demo", Unit.Milliseconds, Shell($"echo '{Figure}'"), 41, 1, TimeSpan.FromSeconds(30));
        Assert.Throws<BenchmarkCheckException>(() => measurement.MeasureOnce());
    }

    [Fact]
    public void ExternalMeasurement_NoSuchFigure_CheckFails()
    {
        var measurement = new ExternalMeasurement("c.other", Unit.Milliseconds, Shell($"echo '{Figure}'"), 40, 1, TimeSpan.FromSeconds(30));
        var e = Assert.Throws<BenchmarkCheckException>(() => measurement.MeasureOnce());
        Assert.Contains("printed no figure c.other", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void References_CCommand_PassesIterationsAndOptions()
    {
        ExternalCommand command = References.CCommand(Settings.With(), "pipe_pingpong", 500, "--size", "64");
        Assert.EndsWith("artifacts/bench/pipe_pingpong", command.Program, StringComparison.Ordinal);
        Assert.Equal(["--iterations", "500", "--size", "64"], command.Arguments);
    }

    [Fact]
    public void Settings_Filter_SelectsByNameCaseInsensitively()
    {
        BenchmarkSettings settings = Settings.With() is var s ? new BenchmarkSettings
        {
            ReferencesDirectory = s.ReferencesDirectory,
            ScriptsDirectory = s.ScriptsDirectory,
            PythonExecutable = s.PythonExecutable,
            Filter = "PINGPONG",
        } : throw new InvalidOperationException();
        Assert.Equal(["posix.pipe_pingpong_64B", "posix.pipe_pingpong_1B", "posix.futex_pingpong", "duplex.pingpong_64B", "ring.pingpong_spin", "ring.pingpong_futex"], BenchmarkCatalog.Benchmarks(settings).Select(b => b.Name));
        // Every ping-pong reference now runs beside its benchmark, as a comparison: no suite is left pending.
        Assert.DoesNotContain(BenchmarkCatalog.Suites(settings), suite => suite.Name.Contains("pingpong", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(BenchmarkCatalog.Suites(settings), suite => suite.Name == "python.fib");
    }
}
