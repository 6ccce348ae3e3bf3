namespace PosixProcs.SharedMemory;

/// <summary>How to create a <see cref="SharedMemoryRegion"/>. The defaults suit most uses.</summary>
public sealed class SharedMemoryOptions
{
    private SharedMemoryBacking _backing = SharedMemoryBacking.Anonymous;

    /// <summary>Anonymous (fork only), descriptor-backed (fork or spawn) or named (any process of the same user). Default: <see cref="SharedMemoryBacking.Anonymous"/>.</summary>
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

    /// <summary>
    /// The name of a <see cref="SharedMemoryBacking.Named"/> region, without or with one leading
    /// slash (<c>"jobs"</c> or <c>"/jobs"</c>: the same object, which Python's
    /// <c>SharedMemory(name="jobs")</c> also reaches); at most <see cref="Posix.MaxSharedMemoryNameLength"/>
    /// characters, no other slash. <c>null</c> (the default): a random name, <c>pp_</c> and 12 hex
    /// digits, read it from <see cref="SharedMemoryRegion.Name"/>. Only for named regions.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether the creator of a <see cref="SharedMemoryBacking.Named"/> region removes its name
    /// when it disposes the region (the .NET expectation that Dispose cleans up; Python instead
    /// asks for an explicit <c>unlink()</c>). Processes that have attached keep their mappings.
    /// Set false to let the name outlive the creator; then someone must call
    /// <see cref="SharedMemoryRegion.Unlink(string)"/>. Default: true.
    /// </summary>
    public bool UnlinkOnDispose { get; set; } = true;

    /// <summary>
    /// Whether a <see cref="SharedMemoryBacking.Named"/> region's name is unlinked even when its
    /// creator dies without disposing it (SIGKILL, a crash): a guard process
    /// (<see cref="Posix.StartSharedMemoryUnlinkGuard"/>) waits for the creator's death, as
    /// Python's resource tracker does. It costs a fork per region (create + dispose: 6-8 ms
    /// measured in an 88 MiB process at load average 25, against 0.01 ms without) and a small
    /// process while the region lives; children forked from the creator without exec keep
    /// the name alive until they die too. Needs <see cref="UnlinkOnDispose"/>. Default: false.
    /// </summary>
    public bool UnlinkWhenCreatorDies { get; set; }
}
