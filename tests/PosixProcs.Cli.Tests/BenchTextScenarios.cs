using PosixProcs.Benchmarks;
using PosixProcs.Testing;

namespace PosixProcs.CliTests;

/// <summary>
/// Prints every text the benchmark table and report take from the catalog (descriptions,
/// remarks, targets, pending notes) without measuring anything. A helper-process scenario:
/// creating a benchmark may map memory or prepare a fork, which stays out of the test host.
/// </summary>
public static class BenchTextScenarios
{
    [Scenario]
    public static int PrintBenchTexts(string[] args)
    {
        var settings = new BenchmarkSettings
        {
            Quick = true,
            Rounds = 1,
            WarmupRounds = 0,
            ReferencesDirectory = "unused",
            ScriptsDirectory = "unused",
            PythonExecutable = "unused",
        };
        foreach (CatalogEntry entry in BenchmarkCatalog.Benchmarks(settings))
        {
            using Benchmark benchmark = entry.Create();
            Console.WriteLine($"{benchmark.Name}: {benchmark.Description} {benchmark.Remarks}");
            foreach (Comparison comparison in benchmark.CreateComparisons(settings))
            {
                using IMeasurement reference = comparison.Reference;
                Console.WriteLine($"  vs {reference.Name}: target {comparison.Target?.ToString() ?? "none"}");
            }
        }

        foreach (ReferenceSuite suite in BenchmarkCatalog.Suites(settings))
        {
            foreach (PendingTarget pending in suite.Targets)
            {
                Console.WriteLine($"{pending.Measured}: {pending.Description}; vs {pending.Figure}: target {pending.Target?.ToString() ?? "none"}, waiting for {pending.Waiting}");
            }
        }

        return 0;
    }
}
