namespace PosixProcs.Benchmarks;

/// <summary>Which side of a target ratio is good.</summary>
public enum TargetDirection
{
    /// <summary>The ratio must be at most the target (times: "no slower than 1.1x C").</summary>
    AtMost,

    /// <summary>The ratio must be at least the target (rates: "at least 0.9x C's throughput").</summary>
    AtLeast,
}
