using System.Reflection;

namespace PosixProcs.Testing;

/// <summary>What a helper process printed and how it ended.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
public sealed record ScenarioResult(int ExitCode, string Output, string Error)
{
    /// <summary>The lines of standard output of the form <c>key=value</c>.</summary>
    public IReadOnlyDictionary<string, string> Values =>
        Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    /// <summary>A readable account, for assertion messages.</summary>
    /// <returns>Exit code and both streams.</returns>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs <see cref="ScenarioAttribute"/> methods in a helper process: the test assembly
/// itself, started again with <c>dotnet TESTS.dll scenario NAME ARGS</c>. Its Main calls
/// <see cref="Main"/>. The helper gets the same runtimeconfig as the tests (fork switches on).
/// </summary>
public static class Scenarios
{
    /// <summary>The first argument that tells the test assembly to run a scenario.</summary>
    public const string Verb = "scenario";

    /// <summary>The helper's entry point; returns the scenario's exit code.</summary>
    /// <param name="args"><c>scenario NAME ARGS...</c>.</param>
    /// <param name="assembly">The test assembly that holds the scenarios.</param>
    /// <returns>The exit code.</returns>
    public static int Main(string[] args, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(assembly);
        if (args.Length < 2 || args[0] != Verb)
        {
            Console.Error.WriteLine($"usage: {Verb} NAME [ARGS...]; this assembly holds tests, run it with dotnet test.");
            return 2;
        }

        MethodInfo? method = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == args[1] && m.GetCustomAttribute<ScenarioAttribute>() is not null);
        if (method is null)
        {
            Console.Error.WriteLine($"no scenario named {args[1]}");
            return 2;
        }

        return (int)method.Invoke(null, [args[2..]])!;
    }

    /// <summary>Runs a scenario of <paramref name="testAssembly"/> in a helper process and waits at most <paramref name="timeout"/>.</summary>
    /// <param name="testAssembly">The test assembly (its Main must call <see cref="Main"/>).</param>
    /// <param name="name">The scenario method's name.</param>
    /// <param name="timeout">How long it may take; a helper still running then is killed with its children's group and the test fails.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="args">Arguments for the scenario.</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="TimeoutException">The helper did not finish in time.</exception>
    public static ScenarioResult Run(Assembly testAssembly, string name, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        return DotnetProcess.Run([testAssembly.Location, Verb, name, .. args], timeout, environment);
    }

}
