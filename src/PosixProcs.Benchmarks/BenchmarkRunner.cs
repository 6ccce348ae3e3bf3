using System.Diagnostics;

namespace PosixProcs.Benchmarks;

/// <summary>Runs the catalog: every selected benchmark (interleaved with its references), then every reference suite.</summary>
public static class BenchmarkRunner
{
    /// <summary>Runs everything the settings select.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="log">Where progress lines go.</param>
    /// <returns>The report.</returns>
    public static BenchmarkReport Run(BenchmarkSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        long start = Stopwatch.GetTimestamp();
        string loadAtStart = MachineInfo.ReadLoadAverage();
        string python;
        try
        {
            python = References.PythonExecutable(settings);
        }
        catch (BenchmarkCheckException e)
        {
            python = "not found: " + e.Message;
        }

        var harness = new Harness(settings, log);
        var results = new List<BenchmarkResult>();
        foreach (CatalogEntry entry in BenchmarkCatalog.Benchmarks(settings))
        {
            log.WriteLine(entry.Name);
            long began = Stopwatch.GetTimestamp();
            results.Add(harness.Run(entry.Create()));
            log.WriteLine($"  ({Stopwatch.GetElapsedTime(began).TotalSeconds:0.0} s)");
        }

        IReadOnlyList<ReferenceSuite> suites;
        try
        {
            suites = BenchmarkCatalog.Suites(settings);
        }
        catch (BenchmarkCheckException e)
        {
            log.WriteLine($"  FAILED reference suites: {e.Message}");
            suites = [];
            results.Add(new BenchmarkResult("references", "the reference suites", Unit.Seconds, null, [], e.Message));
        }

        foreach (ReferenceSuite suite in suites)
        {
            log.WriteLine($"{suite.Name} (reference only: the PosixProcs side is not built yet)");
            long began = Stopwatch.GetTimestamp();
            results.AddRange(harness.Run(suite));
            log.WriteLine($"  ({Stopwatch.GetElapsedTime(began).TotalSeconds:0.0} s)");
        }

        return new BenchmarkReport(MachineInfo.Current(python, $"{loadAtStart} at start, {MachineInfo.ReadLoadAverage()} at end"), settings.Quick, settings.Rounds, startedAt, Stopwatch.GetElapsedTime(start), results);
    }
}
