using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>Runs this assembly's scenarios in a helper process.</summary>
internal static class Helper
{
    public static ScenarioResult Run(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        ScenarioResult result = Scenarios.Run(typeof(Helper).Assembly, scenario, TimeSpan.FromSeconds(90), environment, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
