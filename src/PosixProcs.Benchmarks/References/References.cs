using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>Builds the commands and measurements for the C and Python references of a run.</summary>
public static class References
{
    private static readonly Lock PythonLock = new();
    private static string? resolvedPython;

    /// <summary>A compiled C reference (<c>scripts/bench/c/PROGRAM.c</c>) measured once per round.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="program">The binary's name in <see cref="BenchmarkSettings.ReferencesDirectory"/>.</param>
    /// <param name="figure">The figure it prints.</param>
    /// <param name="unit">The figure's unit.</param>
    /// <param name="iterations">Operations per repetition (<c>--iterations</c>).</param>
    /// <param name="options">More options, e.g. <c>--size 64</c>.</param>
    /// <returns>The measurement.</returns>
    public static ExternalMeasurement C(BenchmarkSettings settings, string program, string figure, Unit unit, long iterations, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ExternalMeasurement(figure, unit, CCommand(settings, program, iterations, options), iterations, 1, settings.ReferenceTimeout);
    }

    /// <summary>A Python reference (<c>scripts/bench/python/SCRIPT</c>) measured once per round, selecting one figure with <c>--only</c>.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="script">The script's file name.</param>
    /// <param name="figure">The figure to run and read.</param>
    /// <param name="unit">The figure's unit.</param>
    /// <param name="iterations">Operations per repetition (<c>--iterations</c>).</param>
    /// <param name="options">More options.</param>
    /// <returns>The measurement.</returns>
    public static ExternalMeasurement Python(BenchmarkSettings settings, string script, string figure, Unit unit, long iterations, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ExternalCommand command = PythonCommand(settings, script, iterations, ["--only", figure, .. options]);
        return new ExternalMeasurement(figure, unit, command, iterations, 1, settings.ReferenceTimeout);
    }

    /// <summary>The command for a C reference.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="program">The binary's name.</param>
    /// <param name="iterations">Operations per repetition.</param>
    /// <param name="options">More options.</param>
    /// <returns>The command.</returns>
    public static ExternalCommand CCommand(BenchmarkSettings settings, string program, long iterations, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string path = Path.GetFullPath(Path.Combine(settings.ReferencesDirectory, program));
        return new ExternalCommand(path, ["--iterations", Invariant(iterations), .. options]);
    }

    /// <summary>The command for a Python reference, run by the real interpreter.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="script">The script's file name.</param>
    /// <param name="iterations">Operations per repetition.</param>
    /// <param name="options">More options.</param>
    /// <returns>The command.</returns>
    public static ExternalCommand PythonCommand(BenchmarkSettings settings, string script, long iterations, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string path = Path.GetFullPath(Path.Combine(settings.ScriptsDirectory, script));
        return new ExternalCommand(PythonExecutable(settings), [path, "--iterations", Invariant(iterations), .. options]);
    }

    /// <summary>
    /// The Python interpreter: the configured one, else the binary behind <c>python3</c> on
    /// PATH. pyenv's shim takes ~280 ms per start (NOTES.md); the binary it resolves to ~60 ms.
    /// </summary>
    /// <param name="settings">The run's settings.</param>
    /// <returns>The interpreter's path.</returns>
    /// <exception cref="BenchmarkCheckException">No python3 on PATH.</exception>
    public static string PythonExecutable(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.PythonExecutable is { } configured)
        {
            return configured;
        }

        lock (PythonLock)
        {
            if (resolvedPython is null)
            {
                string shim = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                    .Split(':', StringSplitOptions.RemoveEmptyEntries)
                    .Select(dir => Path.Combine(dir, "python3"))
                    .FirstOrDefault(File.Exists)
                    ?? throw new BenchmarkCheckException("python3 is not on PATH; the Python references need it (or pass --python).");
                resolvedPython = ExternalRunner.Run(new ExternalCommand(shim, ["-c", "import sys; print(sys.executable)"]), TimeSpan.FromSeconds(30)).Trim();
            }

            return resolvedPython;
        }
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
