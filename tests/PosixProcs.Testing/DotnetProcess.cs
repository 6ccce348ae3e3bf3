namespace PosixProcs.Testing;

/// <summary>Runs <c>dotnet ARGS</c> in a separate process and waits a bounded time for it and for its output.</summary>
public static class DotnetProcess
{
    /// <summary>Runs dotnet with <paramref name="arguments"/>.</summary>
    /// <param name="arguments">The arguments (the dll first).</param>
    /// <param name="timeout">How long it may take; a process still running then is killed with its descendants and the call throws.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <returns>Its exit code and both streams.</returns>
    /// <exception cref="TimeoutException">It did not finish, or something it started kept its output open.</exception>
    public static ScenarioResult Run(IReadOnlyList<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null) =>
        ExternalProcess.Run("dotnet", arguments, timeout, environment);
}
