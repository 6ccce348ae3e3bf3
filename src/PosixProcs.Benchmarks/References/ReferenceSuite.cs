using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// A reference program run once with all its repetitions, for figures that have no
/// PosixProcs counterpart yet (see <see cref="PendingTarget"/>). Nothing is interleaved
/// with it, because nothing on the PosixProcs side runs yet.
/// </summary>
/// <param name="Name">The suite's name, for <c>--filter</c> and progress lines.</param>
/// <param name="Command">The command without <c>--repetitions</c>/<c>--warmup</c>.</param>
/// <param name="Targets">The figures it prints and what each will be compared with.</param>
public sealed record ReferenceSuite(string Name, ExternalCommand Command, IReadOnlyList<PendingTarget> Targets)
{
    /// <summary>Runs the program and checks every figure.</summary>
    /// <param name="repetitions">Timed repetitions inside the program.</param>
    /// <param name="warmup">Untimed repetitions inside the program.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>One result per target, pending; or failed with the reason.</returns>
    public IReadOnlyList<BenchmarkResult> Run(int repetitions, int warmup, TimeSpan timeout)
    {
        try
        {
            string output = ExternalRunner.Run(
                Command.With(
                    "--repetitions", repetitions.ToString(CultureInfo.InvariantCulture),
                    "--warmup", warmup.ToString(CultureInfo.InvariantCulture)),
                timeout);
            return Judge(ExternalFigure.ParseAll(output), repetitions);
        }
        catch (Exception e) when (e is BenchmarkCheckException or FormatException or PosixException)
        {
            return [.. Targets.GroupBy(t => t.Measured).Select(g => new BenchmarkResult(
                g.Key, g.First().Description, g.First().Unit, null, [.. g.Select(FailedComparison)], e.Message))];
        }
    }

    /// <summary>Turns a run's figures into pending results; a figure missing or failing its check fails its target.</summary>
    /// <param name="figures">What the program printed.</param>
    /// <param name="repetitions">The repetitions asked for.</param>
    /// <returns>One result per target.</returns>
    public IReadOnlyList<BenchmarkResult> Judge(IReadOnlyList<ExternalFigure> figures, int repetitions)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var comparisons = new List<(PendingTarget Target, ComparisonResult Comparison, string Note)>();
        foreach (PendingTarget target in Targets)
        {
            ExternalFigure? figure = figures.FirstOrDefault(f => f.Name == target.Figure);
            if (figure is null)
            {
                comparisons.Add((target, FailedComparison(target), $"{Command} printed no figure {target.Figure}"));
                continue;
            }

            try
            {
                figure.Check(target.Figure, target.Unit, (ulong)(target.ExpectedCount * repetitions));
                comparisons.Add((target, new ComparisonResult(target.Figure, figure.Summary, null, target.Target, Verdict.Pending), $"waiting for {target.Waiting}"));
            }
            catch (BenchmarkCheckException e)
            {
                comparisons.Add((target, FailedComparison(target), e.Message));
            }
        }

        // One result per future PosixProcs figure, with every reference it will be compared with.
        return [.. comparisons.GroupBy(c => c.Target.Measured).Select(g => new BenchmarkResult(
            g.Key, g.First().Target.Description, g.First().Target.Unit, null,
            [.. g.Select(c => c.Comparison)],
            string.Join("; ", g.Select(c => c.Note).Distinct())))];
    }

    private static ComparisonResult FailedComparison(PendingTarget target) =>
        new(target.Figure, null, null, target.Target, Verdict.Failed);
}
