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
    /// spawned program, which maps it with <see cref="SharedMemoryRegion.Attach"/>.
    /// </summary>
    Descriptor = 1,
}
