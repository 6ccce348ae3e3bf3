namespace PosixProcs;

public static partial class Posix
{
    /// <summary>Resource usage (getrusage): CPU times, faults, context switches.</summary>
    /// <param name="target">This process, its reaped children, or this thread (Linux).</param>
    /// <returns>The usage, in fixed units.</returns>
    /// <exception cref="PosixException">ENOTSUP for <see cref="ResourceUsageTarget.Thread"/> outside Linux.</exception>
    public static unsafe ResourceUsage GetResourceUsage(ResourceUsageTarget target = ResourceUsageTarget.Self)
    {
        if (!Enum.IsDefined(target))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown target.");
        }

        ResourceUsageNative native;
        Errors.ThrowIfNegative(Interop.getrusage((int)target, &native), "getrusage");
        return ResourceUsage.FromNative(native);
    }

    /// <summary>This process's limit on a resource (getrlimit).</summary>
    /// <param name="kind">The resource.</param>
    /// <returns>The soft and hard limits.</returns>
    /// <exception cref="PosixException">getrlimit failed.</exception>
    public static unsafe ResourceLimit GetResourceLimit(ResourceKind kind)
    {
        ResourceLimitNative native = new ResourceLimit(kind, null, null).ToNative();
        Errors.ThrowIfNegative(Interop.getrlimit(&native), "getrlimit");
        return ResourceLimit.FromNative(native);
    }

    /// <summary>Sets this process's limit on a resource (setrlimit).</summary>
    /// <param name="limit">The limit.</param>
    /// <exception cref="PosixException">EPERM: raising a hard limit needs privilege.</exception>
    public static unsafe void SetResourceLimit(ResourceLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ResourceLimitNative native = limit.ToNative();
        Errors.ThrowIfNegative(Interop.setrlimit(&native), "setrlimit");
    }
}
