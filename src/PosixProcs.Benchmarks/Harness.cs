namespace PosixProcs.Benchmarks;

/// <summary>
/// Runs a benchmark and its references INTERLEAVED: after warm-up, every round measures
/// each side once, in alternating order (measured first on even rounds, last on odd
/// rounds), so slow drift on a shared machine hits both sides of every ratio alike.
/// Progress is printed as plain lines: no live display, because a display thread would
/// make this process unsafe to fork.
/// </summary>
public sealed class Harness
{
    private readonly BenchmarkSettings settings;
    private readonly TextWriter log;

    /// <summary>Creates a harness.</summary>
    /// <param name="settings">Rounds, warm-up and timeouts.</param>
    /// <param name="log">Where progress lines go (stderr, so stdout can carry JSON).</param>
    public Harness(BenchmarkSettings settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        this.settings = settings;
        this.log = log;
    }

    /// <summary>
    /// The order in which the sides run in a round: index 0 is the measured code, 1..n the
    /// references. Even rounds run 0..n, odd rounds n..0.
    /// </summary>
    /// <param name="round">The round, from 0.</param>
    /// <param name="sides">How many sides (measured + references), 1 or more.</param>
    /// <returns>The indexes in order.</returns>
    public static IReadOnlyList<int> RoundOrder(int round, int sides)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sides);
        IEnumerable<int> order = Enumerable.Range(0, sides);
        return [.. round % 2 == 0 ? order : order.Reverse()];
    }

    /// <summary>Runs one benchmark with its references.</summary>
    /// <param name="benchmark">The benchmark; it is disposed, with its references, before this returns.</param>
    /// <returns>The result; a side that failed a check is reported as failed, with the reason.</returns>
    public BenchmarkResult Run(Benchmark benchmark)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        IReadOnlyList<Comparison> comparisons;
        try
        {
            comparisons = benchmark.CreateComparisons(settings);
        }
        catch (Exception e) when (IsBenchmarkFailure(e))
        {
            benchmark.Dispose();
            return new BenchmarkResult(benchmark.Name, benchmark.Description, benchmark.Unit, null, [], e.Message);
        }

        return Run(benchmark, benchmark.Description, comparisons) with { Remarks = benchmark.Remarks };
    }

    /// <summary>Runs any measurement against references; <see cref="Run(Benchmark)"/> for a <see cref="Benchmark"/>.</summary>
    /// <param name="measured">The measured side.</param>
    /// <param name="description">What one operation is.</param>
    /// <param name="comparisons">The references and targets.</param>
    /// <returns>The result.</returns>
    public BenchmarkResult Run(IMeasurement measured, string description, IReadOnlyList<Comparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(comparisons);
        if (comparisons.FirstOrDefault(c => c.Reference.Unit != measured.Unit) is { } mismatch)
        {
            throw new ArgumentException($"{mismatch.Reference.Name} is in {mismatch.Reference.Unit}, {measured.Name} in {measured.Unit}: a ratio needs one unit.", nameof(comparisons));
        }

        IMeasurement[] sides = [measured, .. comparisons.Select(c => c.Reference)];
        var samples = sides.Select(_ => new List<double>()).ToArray();
        var failures = new string?[sides.Length];
        try
        {
            ForEachSide(sides, failures, side => side.Start());
            for (int w = 0; w < settings.WarmupRounds && failures[0] is null; w++)
            {
                ForEachSide(sides, failures, side => side.WarmUp());
            }

            for (int round = 0; round < settings.Rounds && failures[0] is null; round++)
            {
                foreach (int index in RoundOrder(round, sides.Length))
                {
                    Attempt(sides, failures, index, () => samples[index].Add(sides[index].MeasureOnce()));
                }

                log.WriteLine($"  {measured.Name}: round {round + 1}/{settings.Rounds}: " +
                    string.Join(", ", sides.Select((s, i) => samples[i].Count > 0 ? $"{s.Name} {s.Unit.Format(samples[i][^1])}" : $"{s.Name} failed")));
            }
        }
        finally
        {
            // Disposing ends the helper children and checks how they exited: a child that
            // failed fails its side, like any other check.
            for (int i = sides.Length - 1; i >= 0; i--)
            {
                int index = i;
                Attempt(sides, failures, index, sides[index].Dispose, evenAfterFailure: true);
            }
        }

        return Summarise(measured, description, comparisons, samples, failures);
    }

    /// <summary>Runs a reference suite whose PosixProcs side is still to be built.</summary>
    /// <param name="suite">The suite.</param>
    /// <returns>One pending (or failed) result per target.</returns>
    public IReadOnlyList<BenchmarkResult> Run(ReferenceSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        log.WriteLine($"  {suite.Name}: {suite.Command} ({settings.Rounds} repetitions)");
        return suite.Run(settings.Rounds, settings.WarmupRounds, settings.ReferenceTimeout);
    }

    /// <summary>Builds the result from the samples; a side with a failure or no samples has no figure.</summary>
    internal static BenchmarkResult Summarise(IMeasurement measured, string description, IReadOnlyList<Comparison> comparisons, IReadOnlyList<List<double>> samples, IReadOnlyList<string?> failures)
    {
        Summary? mine = failures[0] is null && samples[0].Count > 0 ? Summary.Of(samples[0]) : null;
        var results = new List<ComparisonResult>();
        for (int i = 0; i < comparisons.Count; i++)
        {
            Comparison c = comparisons[i];
            Summary? theirs = failures[i + 1] is null && samples[i + 1].Count > 0 ? Summary.Of(samples[i + 1]) : null;
            results.Add(mine is not null && theirs is not null
                ? ComparisonResult.ComparePaired(c.Reference.Name, samples[0], samples[i + 1], c.Target)
                : new ComparisonResult(c.Reference.Name, theirs, null, c.Target, Verdict.Failed));
        }

        string? note = string.Join("; ", failures.Where(f => f is not null));
        return new BenchmarkResult(measured.Name, description, measured.Unit, mine, results, note.Length == 0 ? null : note);
    }

    private void ForEachSide(IMeasurement[] sides, string?[] failures, Action<IMeasurement> action)
    {
        for (int i = 0; i < sides.Length; i++)
        {
            int index = i;
            Attempt(sides, failures, index, () => action(sides[index]));
        }
    }

    /// <summary>Runs one step of one side; a failure stops that side only (the measured side's failure ends the benchmark).</summary>
    private void Attempt(IMeasurement[] sides, string?[] failures, int index, Action step, bool evenAfterFailure = false)
    {
        if (failures[index] is not null && !evenAfterFailure)
        {
            return;
        }

        try
        {
            step();
        }
        catch (Exception e) when (IsBenchmarkFailure(e))
        {
            string failure = $"{sides[index].Name}: {e.Message}";
            failures[index] ??= failure;
            log.WriteLine($"  FAILED {failure}");
        }
    }

    private static bool IsBenchmarkFailure(Exception e) =>
        e is BenchmarkCheckException or PosixException or ForkHazardException or SpawnException or IOException or InvalidOperationException or ArgumentException;
}
