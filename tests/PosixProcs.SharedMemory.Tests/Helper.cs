using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>Runs this assembly's scenarios in a helper process.</summary>
internal static class Helper
{
    public static ScenarioResult Run(string scenario, params string[] args) =>
        Scenarios.Run(typeof(Helper).Assembly, scenario, TimeSpan.FromSeconds(120), environment: null, args);

    /// <summary>Runs a scenario and asserts it exited 0, returning its key=value output.</summary>
    public static IReadOnlyDictionary<string, string> RunOk(string scenario, params string[] args)
    {
        ScenarioResult result = Run(scenario, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Values;
    }
}
