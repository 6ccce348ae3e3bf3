namespace PosixProcs.SharedMemory;

/// <summary>What a <see cref="SharedMemoryRegion"/> is made of, which decides how other processes can reach it.</summary>
public enum SharedMemoryBacking
{
    /// <summary>
    /// Anonymous shared memory (mmap MAP_SHARED | MAP_ANONYMOUS): children created by fork
    /// inherit it; nothing else can reach it. There is no descriptor and no name.
    /// </summary>
    Anonymous = 0,

    /// <summary>
    /// Memory behind a nameless descriptor (memfd on Linux; on macOS a random shm_open name
    /// unlinked at once). Forked children inherit it, and the descriptor can be handed to a
    /// spawned program, which maps it with <see cref="SharedMemoryRegion.Attach(FileDescriptorHandle, long, bool)"/>.
    /// </summary>
    Descriptor = 1,

    /// <summary>
    /// Memory with a name (shm_open; on Linux the file /dev/shm/NAME): any unrelated process
    /// of the same user can map it with <see cref="SharedMemoryRegion.Attach(string, bool)"/>,
    /// like Python's <c>SharedMemory(name=...)</c>. Created exclusively (O_EXCL), mode 0600.
    /// The name outlives every process until it is unlinked: by the creator's
    /// <see cref="SharedMemoryRegion.Dispose"/> (by default), by <see cref="SharedMemoryRegion.Unlink()"/>,
    /// or by <see cref="SharedMemoryRegion.Unlink(string)"/>; a creator killed before then leaves it behind,
    /// unless it was created with <see cref="SharedMemoryOptions.UnlinkWhenCreatorDies"/>.
    /// </summary>
    Named = 2,
}
