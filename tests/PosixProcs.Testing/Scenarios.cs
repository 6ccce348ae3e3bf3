using System.Diagnostics;
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
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(testAssembly.Location);
        start.ArgumentList.Add(Verb);
        start.ArgumentList.Add(name);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();

        // Never wait without a bound: a leftover grandchild that holds the output pipe would
        // keep end-of-file from coming, and the test would hang instead of failing.
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"scenario {name} did not finish in {timeout.TotalSeconds:0.#} s\n--- stdout\n{Completed(output)}\n--- stderr\n{Completed(error)}");
        }

        if (!Task.WaitAll([output, error], TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"scenario {name} exited, but something it started still holds its output open\n--- stdout so far is not available");
        }

        return new ScenarioResult(process.ExitCode, output.Result, error.Result);
    }

    private static string Completed(Task<string> text) => text.IsCompletedSuccessfully ? text.Result : "(still open)";
}
