using System.Diagnostics;

namespace PosixProcs.Testing;

/// <summary>Runs a program in a separate process and waits a bounded time for it and for its output.</summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>.</summary>
    /// <param name="program">The program (a path, or a name found on PATH).</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="timeout">How long it may take; a process still running then is killed with its descendants and the call throws.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <returns>Its exit code and both streams.</returns>
    /// <exception cref="TimeoutException">It did not finish, or something it started kept its output open.</exception>
    public static ScenarioResult Run(string program, IReadOnlyList<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        string what = $"{Path.GetFileName(program)} {string.Join(' ', arguments)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();

        // Never wait without a bound: a leftover grandchild that holds the output pipe would
        // keep end-of-file from coming, and the test would hang instead of failing.
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"{what} did not finish in {timeout.TotalSeconds:0.#} s\n--- stdout\n{Completed(output)}\n--- stderr\n{Completed(error)}");
        }

        if (!Task.WaitAll([output, error], TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"{what} exited, but something it started still holds its output open");
        }

        return new ScenarioResult(process.ExitCode, output.Result, error.Result);
    }

    private static string Completed(Task<string> text) => text.IsCompletedSuccessfully ? text.Result : "(still open)";
}
