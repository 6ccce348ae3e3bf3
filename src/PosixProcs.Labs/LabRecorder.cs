using System.Globalization;

namespace PosixProcs.Labs;

/// <summary>Collects a lab run's measurements and checks, narrating each as it comes.</summary>
public sealed class LabRecorder
{
    private readonly ILabNarrator narrator;
    private readonly List<Measurement> measurements = [];
    private readonly List<LabCheck> checks = [];

    /// <summary>Creates a recorder.</summary>
    /// <param name="narrator">Where each measurement and check is told.</param>
    public LabRecorder(ILabNarrator narrator)
    {
        ArgumentNullException.ThrowIfNull(narrator);
        this.narrator = narrator;
    }

    /// <summary>The deciding numbers in one line, for the tour's summary table.</summary>
    public string Evidence { get; set; } = string.Empty;

    /// <summary>The exception that stopped the lab, in full; null if it ran to the end.</summary>
    public string? Error { get; set; }

    /// <summary>Tells a step of the lab.</summary>
    /// <param name="text">The sentence.</param>
    public void Step(string text) => narrator.Say(text);

    /// <summary>Records a long and narrates it.</summary>
    /// <param name="name">Machine name.</param>
    /// <param name="value">The value.</param>
    /// <param name="unit">The unit.</param>
    /// <param name="description">What it is.</param>
    /// <returns><paramref name="value"/>.</returns>
    public long Measure(string name, long value, string unit, string description) => Add(name, value, unit, description, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Records a double and narrates it with two decimals.</summary>
    /// <param name="name">Machine name.</param>
    /// <param name="value">The value.</param>
    /// <param name="unit">The unit.</param>
    /// <param name="description">What it is.</param>
    /// <returns><paramref name="value"/>.</returns>
    public double Measure(string name, double value, string unit, string description) =>
        Add(name, Math.Round(value, 3), unit, description, value.ToString("0.##", CultureInfo.InvariantCulture));

    /// <summary>Records a fact (yes/no) and narrates it.</summary>
    /// <param name="name">Machine name.</param>
    /// <param name="value">The value.</param>
    /// <param name="description">What it is.</param>
    /// <returns><paramref name="value"/>.</returns>
    public bool Measure(string name, bool value, string description) => Add(name, value, string.Empty, description, value ? "yes" : "no");

    /// <summary>Records a text (a message, a status) and narrates it.</summary>
    /// <param name="name">Machine name.</param>
    /// <param name="value">The value.</param>
    /// <param name="description">What it is.</param>
    /// <returns><paramref name="value"/>.</returns>
    public string Measure(string name, string value, string description) => Add(name, value, string.Empty, description, value);

    /// <summary>Records and narrates one condition of the claim.</summary>
    /// <param name="name">Machine name.</param>
    /// <param name="description">The condition, with the compared numbers.</param>
    /// <param name="holds">Whether it held.</param>
    /// <returns><paramref name="holds"/>.</returns>
    public bool Check(string name, string description, bool holds)
    {
        if (checks.Any(c => c.Name == name))
        {
            throw new InvalidOperationException($"check {name} recorded twice");
        }

        checks.Add(new LabCheck(name, description, holds));
        narrator.Checked(description, holds);
        return holds;
    }

    /// <summary>The result so far.</summary>
    /// <param name="lab">The lab.</param>
    /// <param name="elapsed">How long it ran.</param>
    /// <returns>The result.</returns>
    public LabResult ToResult(Lab lab, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(lab);
        string evidence = Error is null ? Evidence : $"error: {checks[^1].Description}";
        return new LabResult(lab.Name, lab.Title, lab.Claim, evidence, measurements.ToList(), checks.ToList(), lab.NextSteps, elapsed) { Error = Error };
    }

    private T Add<T>(string name, T value, string unit, string description, string shown)
        where T : notnull
    {
        if (measurements.Any(m => m.Name == name))
        {
            throw new InvalidOperationException($"measurement {name} recorded twice");
        }

        measurements.Add(new Measurement(name, value, unit, description));
        narrator.Measured(description, unit.Length == 0 ? shown : $"{shown} {unit}");
        return value;
    }
}
