namespace PosixProcs;

/// <summary>A resource that setrlimit(2) can limit; translated to this platform's RLIMIT_* in C.</summary>
public enum ResourceKind
{
    /// <summary>CPU seconds (RLIMIT_CPU): SIGXCPU at the soft limit, SIGKILL at the hard one.</summary>
    CpuSeconds = 0,

    /// <summary>Largest file the process may write, in bytes (RLIMIT_FSIZE).</summary>
    FileSize = 1,

    /// <summary>Data segment size, in bytes (RLIMIT_DATA).</summary>
    DataSize = 2,

    /// <summary>Stack size, in bytes (RLIMIT_STACK).</summary>
    StackSize = 3,

    /// <summary>Core file size, in bytes (RLIMIT_CORE); 0 disables core dumps.</summary>
    CoreSize = 4,

    /// <summary>Number of open descriptors (RLIMIT_NOFILE).</summary>
    OpenFiles = 5,

    /// <summary>Address space, in bytes (RLIMIT_AS).</summary>
    AddressSpace = 6,

    /// <summary>Processes of this user (RLIMIT_NPROC).</summary>
    Processes = 7,
}

/// <summary>A soft and a hard limit on one resource. <c>null</c> means unlimited.</summary>
/// <param name="Kind">The resource.</param>
/// <param name="Soft">The limit the kernel enforces; the process may raise it up to <paramref name="Hard"/>.</param>
/// <param name="Hard">The ceiling; only a privileged process may raise it.</param>
public sealed record ResourceLimit(ResourceKind Kind, ulong? Soft, ulong? Hard)
{
    /// <summary>The same value as soft and hard limit.</summary>
    /// <param name="kind">The resource.</param>
    /// <param name="value">The limit.</param>
    /// <returns>The limit.</returns>
    public static ResourceLimit Fixed(ResourceKind kind, ulong value) => new(kind, value, value);

    internal ResourceLimitNative ToNative()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown resource.");
        }

        if (Soft is ulong soft && Hard is ulong hard && soft > hard)
        {
            throw new ArgumentException($"The soft limit ({soft}) is above the hard limit ({hard}) for {Kind}.");
        }

        return new ResourceLimitNative { Resource = (int)Kind, Soft = Soft ?? ulong.MaxValue, Hard = Hard ?? ulong.MaxValue };
    }

    internal static ResourceLimit FromNative(ResourceLimitNative native) =>
        new((ResourceKind)native.Resource, native.Soft == ulong.MaxValue ? null : native.Soft, native.Hard == ulong.MaxValue ? null : native.Hard);
}
