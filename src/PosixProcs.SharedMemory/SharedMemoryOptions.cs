namespace PosixProcs.SharedMemory;

/// <summary>How to create a <see cref="SharedMemoryRegion"/>. The defaults suit most uses.</summary>
public sealed class SharedMemoryOptions
{
    private SharedMemoryBacking _backing = SharedMemoryBacking.Anonymous;

    /// <summary>Anonymous (fork only) or descriptor-backed (fork or spawn). Default: <see cref="SharedMemoryBacking.Anonymous"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined backing.</exception>
    public SharedMemoryBacking Backing
    {
        get => _backing;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown backing.");
            }

            _backing = value;
        }
    }

    /// <summary>
    /// Fault every page in at creation (MAP_POPULATE on Linux) so that later first touches
    /// cost nothing; worth it for rings and arrays on a hot path. Default: false.
    /// </summary>
    public bool Populate { get; set; }

    /// <summary>
    /// Ask for transparent huge pages (madvise MADV_HUGEPAGE; Linux only, elsewhere the
    /// creation fails with ENOTSUP). Default: false.
    /// </summary>
    public bool HugePages { get; set; }
}
