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
public sealed record LabCheck(string Name, string Description, bool Holds);

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

    /// <summary>A measurement by name.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">No measurement has that name.</exception>
    public object this[string name] =>
        Measurements.FirstOrDefault(m => m.Name == name)?.Value ?? throw new KeyNotFoundException($"lab {Lab} measured nothing named {name}");
}
