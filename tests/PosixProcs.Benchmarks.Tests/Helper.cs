using PosixProcs.Testing;

namespace PosixProcs.Benchmarks.Tests;

/// <summary>Runs this assembly's scenarios in a helper process.</summary>
internal static class Helper
{
    public static ScenarioResult Run(string scenario, params string[] args) =>
        Scenarios.Run(typeof(Helper).Assembly, scenario, TimeSpan.FromSeconds(60), null, args);
}
