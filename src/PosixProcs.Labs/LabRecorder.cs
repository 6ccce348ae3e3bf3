using System.Globalization;

namespace PosixProcs.Labs;

/// <summary>
/// Collects a lab run's measurements and checks, narrating each as it comes. Also measures
/// how busy the machine was, so that a timing check that fails on a busy machine is
/// recorded as inconclusive instead of false.
/// </summary>
public sealed class LabRecorder
{
    private readonly ILabNarrator narrator;
    private readonly Func<MachineLoad> loadProbe;
    private readonly List<Measurement> measurements = [];
    private readonly List<LabCheck> checks = [];
    private MachineLoad? loadAtCheck;

    /// <summary>Creates a recorder that measures the machine's load with <see cref="MachineLoad.Measure()"/>.</summary>
    /// <param name="narrator">Where each measurement and check is told.</param>
    public LabRecorder(ILabNarrator narrator)
        : this(narrator, MachineLoad.Measure)
    {
    }

    /// <summary>Creates a recorder.</summary>
    /// <param name="narrator">Where each measurement and check is told.</param>
    /// <param name="loadProbe">Measures the machine's load now (called at the start and when a timing check fails).</param>
    public LabRecorder(ILabNarrator narrator, Func<MachineLoad> loadProbe)
    {
        ArgumentNullException.ThrowIfNull(narrator);
        ArgumentNullException.ThrowIfNull(loadProbe);
        this.narrator = narrator;
        this.loadProbe = loadProbe;
    }

    /// <summary>The load measured by <see cref="MeasureLoadAtStart"/>; null before.</summary>
    public MachineLoad? LoadAtStart { get; private set; }

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

    /// <summary>
    /// Measures and records how busy the machine is before the lab starts: the load average
    /// and the CPU share of a spinning thread (<c>loadAverageAtStart</c>, <c>cpuShareAtStart</c>).
    /// </summary>
    /// <returns>The load.</returns>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public MachineLoad MeasureLoadAtStart()
    {
        if (LoadAtStart is not null)
        {
            throw new InvalidOperationException("the load at the start was already measured");
        }

        LoadAtStart = loadProbe();
        RecordLoad(LoadAtStart, "AtStart", "when the lab started");
        return LoadAtStart;
    }

    /// <summary>
    /// Records and narrates one condition of the claim that does not depend on time: a value,
    /// a count, a status, an end of file. It must hold under any load; if it fails, the claim
    /// did not hold.
    /// </summary>
    /// <param name="name">Machine name.</param>
    /// <param name="description">The condition, with the compared numbers.</param>
    /// <param name="holds">Whether it held.</param>
    /// <returns><paramref name="holds"/>.</returns>
    /// <exception cref="InvalidOperationException">A check of that name was already recorded.</exception>
    public bool Check(string name, string description, bool holds)
    {
        Add(new LabCheck(name, description, holds));
        return holds;
    }

    /// <summary>
    /// Records and narrates a timing condition: a speed-up, or one cost against another in
    /// wall-clock time. If it fails while the machine was busy (at the lab's start or now;
    /// see <see cref="MachineLoad.IsBusy"/>), or for <paramref name="unjudgeable"/>, it is
    /// inconclusive rather than false, and its description says why, with the load seen.
    /// </summary>
    /// <param name="name">Machine name.</param>
    /// <param name="description">The condition, with the compared numbers.</param>
    /// <param name="holds">Whether it held.</param>
    /// <param name="unjudgeable">Why this machine cannot judge it whatever its load (e.g. one CPU for a scaling claim); null if it can.</param>
    /// <returns>The check's verdict.</returns>
    /// <exception cref="InvalidOperationException">A check of that name was already recorded.</exception>
    public LabVerdict TimingCheck(string name, string description, bool holds, string? unjudgeable = null)
    {
        string? reason = null;
        if (!holds)
        {
            reason = unjudgeable ?? BusyReason();
        }

        var check = new LabCheck(name, reason is null ? description : $"{description} — inconclusive: {reason}", holds)
        {
            Timing = true,
            Inconclusive = reason is not null,
        };
        Add(check);
        return check.Verdict;
    }

    /// <summary>The result so far.</summary>
    /// <param name="lab">The lab.</param>
    /// <param name="elapsed">How long it ran.</param>
    /// <returns>The result.</returns>
    public LabResult ToResult(Lab lab, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var result = new LabResult(lab.Name, lab.Title, lab.Claim, Evidence, measurements.ToList(), checks.ToList(), lab.NextSteps, elapsed) { Error = Error, Load = LoadAtStart };
        return result with { Evidence = EvidenceFor(result) };
    }

    private string EvidenceFor(LabResult result)
    {
        if (Error is not null)
        {
            return $"error: {checks[^1].Description}";
        }

        // Timing numbers mean little without the load they were taken under: it goes with them.
        MachineLoad? load = loadAtCheck ?? LoadAtStart;
        if (load is null || !checks.Any(c => c.Timing))
        {
            return Evidence;
        }

        return result.Verdict == LabVerdict.Inconclusive
            ? $"{Evidence}; timing inconclusive, machine busy: {load}"
            : $"{Evidence}; {load}";
    }

    private void Add(LabCheck check)
    {
        if (checks.Any(c => c.Name == check.Name))
        {
            throw new InvalidOperationException($"check {check.Name} recorded twice");
        }

        checks.Add(check);
        narrator.Checked(check.Description, check.Verdict);
    }

    /// <summary>Why a failed timing check cannot be judged on this load, or null if the machine was idle enough.</summary>
    private string? BusyReason()
    {
        if (loadAtCheck is null)
        {
            loadAtCheck = loadProbe();
            RecordLoad(loadAtCheck, "AtCheck", "when a timing check failed");
        }

        return (LoadAtStart?.IsBusy ?? false, loadAtCheck.IsBusy) switch
        {
            (true, true) => $"the machine was busy (at the start: {LoadAtStart}; at the check: {loadAtCheck})",
            (true, false) => $"the machine was busy at the start ({LoadAtStart})",
            (false, true) => $"the machine was busy ({loadAtCheck})",
            _ => null,
        };
    }

    private void RecordLoad(MachineLoad load, string suffix, string when)
    {
        if (!double.IsNaN(load.LoadAverage))
        {
            Measure("loadAverage" + suffix, load.LoadAverage, string.Empty, $"load average (1 min) {when}, on {load.Processors} CPUs");
        }

        Measure("cpuShare" + suffix, load.CpuShare, "CPU-s/s", $"CPU time a spinning thread of the lab got per second, {when} (1 on an idle CPU)");
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
