namespace PosixProcs.Benchmarks;

/// <summary>How a ratio compares with its target.</summary>
public enum Verdict
{
    /// <summary>The issues name no target for this comparison; the ratio is for context.</summary>
    NoTarget,

    /// <summary>The target is met.</summary>
    Met,

    /// <summary>The target is missed.</summary>
    Missed,

    /// <summary>The PosixProcs side does not exist yet; only the reference was measured.</summary>
    Pending,

    /// <summary>The benchmark or its reference failed a check (or could not run); there is no figure.</summary>
    Failed,
}
