using System.Text.Json.Nodes;

namespace PosixProcs.Stress;

/// <summary>One check of a case and the numbers that decided it.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Pass">Whether it held.</param>
/// <param name="Detail">The deciding numbers.</param>
internal sealed record CheckResult(string Name, bool Pass, string Detail);

/// <summary>What the harness learned about one case: everything the case printed, and how its process ended.</summary>
internal sealed class CaseOutcome(CaseSpec spec)
{
    public CaseSpec Spec { get; } = spec;

    /// <summary>Every metric, last value wins.</summary>
    public SortedDictionary<string, JsonNode?> Metrics { get; } = new(StringComparer.Ordinal);

    public List<CheckResult> Checks { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>The case's own verdict line, if it got that far.</summary>
    public string? Verdict { get; set; }

    /// <summary>How the process ended: "exit 0", "killed by SIGKILL", "timeout after 90 s", ...</summary>
    public string Ending { get; set; } = "not run";

    /// <summary>Why the harness itself fails the case (no verdict, timeout, leftovers), besides failed checks.</summary>
    public List<string> HarnessFailures { get; } = [];

    public double Seconds { get; set; }

    public List<string> StandardErrorTail { get; } = [];

    public bool Passed => Verdict == "pass" && HarnessFailures.Count == 0 && Checks.All(c => c.Pass);

    /// <summary>The reasons it failed, in one line.</summary>
    public string Reason => string.Join("; ", HarnessFailures.Concat(Checks.Where(c => !c.Pass).Select(c => $"{c.Name}: {c.Detail}")));

    /// <summary>Takes one <c>@stress</c> line from the case.</summary>
    public void Take(JsonObject line)
    {
        if (line["metric"]?.GetValue<string>() is { } key)
        {
            Metrics[key] = line["value"]?.DeepClone();
        }
        else if (line["check"]?.GetValue<string>() is { } name)
        {
            Checks.Add(new CheckResult(name, line["pass"]?.GetValue<bool>() ?? false, line["detail"]?.GetValue<string>() ?? string.Empty));
        }
        else if (line["note"]?.GetValue<string>() is { } note)
        {
            Notes.Add(note);
        }
        else if (line["verdict"]?.GetValue<string>() is { } verdict)
        {
            Verdict = verdict;
        }
    }
}
