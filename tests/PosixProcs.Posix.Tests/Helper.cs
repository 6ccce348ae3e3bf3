using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Runs this assembly's scenarios in a helper process.</summary>
internal static class Helper
{
    public static ScenarioResult Run(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] args) =>
        Scenarios.Run(typeof(Helper).Assembly, scenario, TimeSpan.FromSeconds(60), environment, args);
}
