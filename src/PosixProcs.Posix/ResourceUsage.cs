namespace PosixProcs;

/// <summary>Whose resource usage <see cref="Posix.GetResourceUsage"/> reports.</summary>
public enum ResourceUsageTarget
{
    /// <summary>This process (RUSAGE_SELF).</summary>
    Self = 0,

    /// <summary>All children of this process that have been waited for (RUSAGE_CHILDREN).</summary>
    Children = 1,

    /// <summary>The calling thread (RUSAGE_THREAD; Linux only).</summary>
    Thread = 2,
}

/// <summary>Resource usage from getrusage(2), in fixed units on every platform.</summary>
/// <param name="UserTime">CPU time spent in user mode.</param>
/// <param name="SystemTime">CPU time spent in the kernel.</param>
/// <param name="MaxResidentSetBytes">Peak resident set size, in bytes on every platform (Linux reports ru_maxrss in KiB, macOS in bytes; the shim converts).</param>
/// <param name="MinorFaults">Page faults served without I/O: first touches and copy-on-write copies.</param>
/// <param name="MajorFaults">Page faults that needed I/O.</param>
/// <param name="VoluntaryContextSwitches">Times the process gave up the CPU to wait.</param>
/// <param name="InvoluntaryContextSwitches">Times the scheduler took the CPU away.</param>
public sealed record ResourceUsage(
    TimeSpan UserTime,
    TimeSpan SystemTime,
    long MaxResidentSetBytes,
    long MinorFaults,
    long MajorFaults,
    long VoluntaryContextSwitches,
    long InvoluntaryContextSwitches)
{
    /// <summary>The shim's fixed-unit struct (ru_maxrss already converted to bytes in C).</summary>
    internal static ResourceUsage FromNative(in ResourceUsageNative native) => new(
        TimeSpan.FromMicroseconds(native.UserTimeMicroseconds),
        TimeSpan.FromMicroseconds(native.SystemTimeMicroseconds),
        native.MaxResidentSetBytes,
        native.MinorFaults,
        native.MajorFaults,
        native.VoluntaryContextSwitches,
        native.InvoluntaryContextSwitches);
}
