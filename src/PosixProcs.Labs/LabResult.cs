namespace PosixProcs.Labs;

/// <summary>A number (or fact) measured in this run.</summary>
/// <param name="Name">A machine name, camelCase, e.g. <c>"minorFaultsOnWrite"</c>.</param>
/// <param name="Value">A long, double, bool or string.</param>
/// <param name="Unit">The unit (<c>"ms"</c>, <c>"KiB"</c>, <c>"pages"</c>...), empty if none.</param>
/// <param name="Description">What it is, for people.</param>
public sealed record Measurement(string Name, object Value, string Unit, string Description);

/// <summary>One condition of the claim, decided on measured numbers.</summary>
/// <param name="Name">A machine name, camelCase.</param>
/// <param name="Description">The condition, with the numbers it compared.</param>
/// <param name="Holds">Whether it held in this run.</param>
public sealed record LabCheck(string Name, string Description, bool Holds)
{
    /// <summary>
    /// Whether the condition is about time (a speed-up, a cost compared in milliseconds), so
    /// that a busy machine can decide it; the others (values, counts, statuses, end of file)
    /// must hold under any load.
    /// </summary>
    public bool Timing { get; init; }

    /// <summary>A timing condition that failed while the machine was too busy to judge it: it counts as inconclusive, not as false.</summary>
    public bool Inconclusive { get; init; }

    /// <summary>Held, inconclusive (only a timing condition, on a busy machine), or did not hold.</summary>
    public LabVerdict Verdict => Holds ? LabVerdict.Held : Inconclusive ? LabVerdict.Inconclusive : LabVerdict.DidNotHold;
}

/// <summary>What a lab run found.</summary>
/// <param name="Lab">The lab's name.</param>
/// <param name="Title">Its header.</param>
/// <param name="Claim">The claim, one sentence.</param>
/// <param name="Evidence">The deciding numbers in one line, for a summary table.</param>
/// <param name="Measurements">Every number measured, by name.</param>
/// <param name="Checks">The conditions; the claim holds when all of them hold.</param>
/// <param name="Next">What to try next.</param>
/// <param name="Elapsed">How long the lab took.</param>
public sealed record LabResult(
    string Lab,
    string Title,
    string Claim,
    string Evidence,
    IReadOnlyList<Measurement> Measurements,
    IReadOnlyList<LabCheck> Checks,
    IReadOnlyList<string> Next,
    TimeSpan Elapsed)
{
    /// <summary>The exception that stopped the lab before it ended, in full; null if it ran to the end.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the claim held: every check held (and there was at least one).</summary>
    public bool Holds => Checks.Count > 0 && Checks.All(c => c.Holds);

    /// <summary>
    /// Held when every check held; inconclusive when the only checks that failed are timing
    /// checks on a busy machine; did not hold otherwise (or with no checks at all).
    /// </summary>
    public LabVerdict Verdict => LabVerdictText.Combine(Checks.Select(c => c.Verdict));

    /// <summary>The load the lab saw when it started; null if it was not measured.</summary>
    public MachineLoad? Load { get; init; }

    /// <summary>A measurement by name.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">No measurement has that name.</exception>
    public object this[string name] =>
        Measurements.FirstOrDefault(m => m.Name == name)?.Value ?? throw new KeyNotFoundException($"lab {Lab} measured nothing named {name}");
}
