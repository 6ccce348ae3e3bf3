namespace PosixProcs.Benchmarks;

/// <summary>How a benchmark run is sized and where its references live. Validated on set.</summary>
public sealed class BenchmarkSettings
{
    private readonly int rounds = 7;
    private readonly int warmupRounds = 1;
    private readonly TimeSpan referenceTimeout = TimeSpan.FromMinutes(5);
    private readonly TimeSpan childTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Smaller sizes and fewer rounds, so the whole run takes under two minutes. Default false.</summary>
    public bool Quick { get; init; }

    /// <summary>
    /// Timed rounds per benchmark; in each round the measured code and every reference run
    /// one repetition each, alternating order. Default 7; 1 or more.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int Rounds
    {
        get => rounds;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            rounds = value;
        }
    }

    /// <summary>Untimed rounds first. Default 1; 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int WarmupRounds
    {
        get => warmupRounds;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            warmupRounds = value;
        }
    }

    /// <summary>Where the compiled C references are (<c>artifacts/bench</c> after <c>make bench-references</c>).</summary>
    public required string ReferencesDirectory { get; init; }

    /// <summary>Where the Python references are (<c>scripts/bench/python</c>).</summary>
    public required string ScriptsDirectory { get; init; }

    /// <summary>The Python interpreter; <c>null</c> finds <c>python3</c> on PATH and asks it for the real binary (pyenv shims are slow).</summary>
    public string? PythonExecutable { get; init; }

    /// <summary>
    /// How to start the posixprocs tool (<c>dotnet PosixProcs.Cli.dll</c>, or its apphost), for
    /// figures that run the tool itself; <c>null</c> leaves them out.
    /// </summary>
    public IReadOnlyList<string>? ToolCommand { get; init; }

    /// <summary>Only benchmarks and reference suites whose name contains this text (case-insensitive); <c>null</c> for all.</summary>
    public string? Filter { get; init; }

    /// <summary>How long one reference program may run before it is killed. Default 5 minutes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ReferenceTimeout
    {
        get => referenceTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            referenceTimeout = value;
        }
    }

    /// <summary>How long a forked helper child may take to answer or exit before it is killed. Default 30 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ChildTimeout
    {
        get => childTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            childTimeout = value;
        }
    }

    /// <summary>Picks the size for this run: <paramref name="full"/> normally, <paramref name="quick"/> with <see cref="Quick"/>.</summary>
    /// <param name="full">The size for a full run.</param>
    /// <param name="quick">The size for a quick run.</param>
    /// <returns>The size.</returns>
    public long Size(long full, long quick) => Quick ? quick : full;

    /// <summary>Whether a benchmark or suite named <paramref name="name"/> is selected by <see cref="Filter"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when there is no filter or the name contains it.</returns>
    public bool Selects(string name) =>
        string.IsNullOrEmpty(Filter) || name.Contains(Filter, StringComparison.OrdinalIgnoreCase);
}
