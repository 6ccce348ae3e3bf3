using System.Globalization;

namespace PosixProcs.Runner;

/// <summary>When a halt stops the run.</summary>
public enum HaltTiming
{
    /// <summary>Never halt (the default): every job runs.</summary>
    Never,

    /// <summary>Start no new job; let the running ones finish.</summary>
    Soon,

    /// <summary>Start no new job and end the running ones (their process groups: SIGTERM, grace, SIGKILL).</summary>
    Now,
}

/// <summary>Which finished jobs count towards a halt.</summary>
public enum HaltCondition
{
    /// <summary>Failed jobs (after their retries).</summary>
    Fail,

    /// <summary>Succeeded jobs.</summary>
    Success,

    /// <summary>Any finished job.</summary>
    Done,
}

/// <summary>
/// GNU parallel's <c>--halt</c>: stop the run <see cref="Timing"/> once <see cref="Threshold"/>
/// jobs have met <see cref="Condition"/>. Written <c>now,fail=1</c>, <c>soon,success=3</c>,
/// <c>now,done=10</c>, or the old forms <c>0</c> (never), <c>1</c> (soon,fail=1), <c>2</c> (now,fail=1).
/// </summary>
/// <param name="Timing">Soon or now; Never disables the policy.</param>
/// <param name="Condition">What counts.</param>
/// <param name="Threshold">How many, 1 or more.</param>
public sealed record HaltPolicy(HaltTiming Timing, HaltCondition Condition, int Threshold)
{
    /// <summary>Never halt.</summary>
    public static HaltPolicy Never { get; } = new(HaltTiming.Never, HaltCondition.Fail, 1);

    /// <summary>Reads the GNU parallel form.</summary>
    /// <param name="text">For example <c>now,fail=1</c>.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="FormatException">Not a halt policy.</exception>
    public static HaltPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim())
        {
            case "0" or "never":
                return Never;
            case "1":
                return new(HaltTiming.Soon, HaltCondition.Fail, 1);
            case "2":
                return new(HaltTiming.Now, HaltCondition.Fail, 1);
        }

        string[] parts = text.Split(',', 2, StringSplitOptions.TrimEntries);
        string[] rule = parts.Length == 2 ? parts[1].Split('=', 2, StringSplitOptions.TrimEntries) : [];
        HaltTiming? timing = parts[0] switch { "soon" => HaltTiming.Soon, "now" => HaltTiming.Now, _ => null };
        HaltCondition? condition = rule.Length == 2
            ? rule[0] switch { "fail" => HaltCondition.Fail, "success" => HaltCondition.Success, "done" => HaltCondition.Done, _ => null }
            : null;
        if (timing is null || condition is null
            || !int.TryParse(rule[1], NumberStyles.None, CultureInfo.InvariantCulture, out int threshold) || threshold < 1)
        {
            throw new FormatException($"'{text}' is not a halt policy: use never, soon,fail=N, now,fail=N (or success=N, done=N), 0, 1 or 2.");
        }

        return new(timing.Value, condition.Value, threshold);
    }

    /// <summary>Whether the run must halt, given the counts so far.</summary>
    /// <param name="failed">Jobs failed.</param>
    /// <param name="succeeded">Jobs succeeded.</param>
    /// <returns>True once the threshold is reached.</returns>
    public bool IsReached(long failed, long succeeded) => Timing != HaltTiming.Never && Condition switch
    {
        HaltCondition.Fail => failed >= Threshold,
        HaltCondition.Success => succeeded >= Threshold,
        _ => failed + succeeded >= Threshold,
    };

    /// <summary>The GNU parallel form.</summary>
    /// <returns>For example <c>now,fail=1</c>.</returns>
    public override string ToString() => Timing == HaltTiming.Never
        ? "never"
        : $"{Timing.ToString().ToLowerInvariant()},{Condition.ToString().ToLowerInvariant()}={Threshold.ToString(CultureInfo.InvariantCulture)}";
}
