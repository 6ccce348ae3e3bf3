namespace PosixProcs.Benchmarks.Tests;

/// <summary>A measurement that returns given values in turn and records what the harness asked of it.</summary>
internal sealed class ScriptedMeasurement(string name, Unit unit, IReadOnlyList<double> values, List<string> journal, int failAtCall = -1, bool failOnDispose = false) : IMeasurement
{
    private int calls;

    public string Name { get; } = name;

    public Unit Unit { get; } = unit;

    public bool Disposed { get; private set; }

    public void Start() => journal.Add($"{Name} start");

    public void WarmUp() => journal.Add($"{Name} warm-up");

    public double MeasureOnce()
    {
        journal.Add($"{Name} measure");
        if (calls == failAtCall)
        {
            throw new BenchmarkCheckException("checksum differs");
        }

        return values[calls++ % values.Count];
    }

    public void Dispose()
    {
        Disposed = true;
        journal.Add($"{Name} dispose");
        if (failOnDispose)
        {
            throw new BenchmarkCheckException("child 77 exited with code 70, expected exit code 0.");
        }
    }
}

/// <summary>An in-process measurement whose repetitions report the work it is told to.</summary>
internal sealed class CountingMeasurement(long asked, long done) : InProcessMeasurement("fake.counting", Unit.Microseconds, asked)
{
    protected override Work RunRepetition() => new(done, 42);
}

internal static class Settings
{
    public static BenchmarkSettings With(int rounds = 3, int warmup = 1) => new()
    {
        Rounds = rounds,
        WarmupRounds = warmup,
        ReferencesDirectory = "artifacts/bench",
        ScriptsDirectory = "scripts/bench/python",
        PythonExecutable = "/usr/bin/python3",
    };
}
