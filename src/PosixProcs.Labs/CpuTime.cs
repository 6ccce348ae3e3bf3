namespace PosixProcs.Labs;

/// <summary>CPU time (user + system, getrusage) so far: what labs subtract to time a step's CPU.</summary>
internal static class CpuTime
{
    /// <summary>This process's CPU time, or that of its reaped children.</summary>
    /// <param name="target">Whose.</param>
    /// <returns>User plus system time.</returns>
    public static TimeSpan Of(ResourceUsageTarget target)
    {
        ResourceUsage usage = Posix.GetResourceUsage(target);
        return usage.UserTime + usage.SystemTime;
    }
}
