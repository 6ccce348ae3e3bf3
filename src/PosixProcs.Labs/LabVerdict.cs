namespace PosixProcs.Labs;

/// <summary>What a lab run concluded about its claim, or about one of its checks.</summary>
public enum LabVerdict
{
    /// <summary>Every condition held on the numbers measured in this run.</summary>
    Held,

    /// <summary>
    /// A timing condition (a speed-up, a latency) failed while the machine was too busy to
    /// judge it: other work took the CPUs it needed. Nothing was shown false; rerun on idle CPUs.
    /// </summary>
    Inconclusive,

    /// <summary>A condition failed that no load excuses: the claim is false here, or the lab broke.</summary>
    DidNotHold,
}

/// <summary>How verdicts read in the narration, the summary table and the JSON.</summary>
public static class LabVerdictText
{
    /// <summary>"held", "inconclusive" or "did not hold".</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>The words.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined verdict.</exception>
    public static string ToText(this LabVerdict verdict) => verdict switch
    {
        LabVerdict.Held => "held",
        LabVerdict.Inconclusive => "inconclusive",
        LabVerdict.DidNotHold => "did not hold",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "not a lab verdict"),
    };

    /// <summary>The verdict of a whole run: did not hold if any part did not; else inconclusive if any part was; else held.</summary>
    /// <param name="verdicts">The parts' verdicts; none at all did not hold (nothing was shown).</param>
    /// <returns>The combined verdict.</returns>
    public static LabVerdict Combine(IEnumerable<LabVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        bool any = false;
        bool inconclusive = false;
        foreach (LabVerdict verdict in verdicts)
        {
            any = true;
            if (verdict == LabVerdict.DidNotHold)
            {
                return LabVerdict.DidNotHold;
            }

            inconclusive |= verdict == LabVerdict.Inconclusive;
        }

        return !any ? LabVerdict.DidNotHold : inconclusive ? LabVerdict.Inconclusive : LabVerdict.Held;
    }
}
