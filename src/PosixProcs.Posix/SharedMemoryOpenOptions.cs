namespace PosixProcs;

/// <summary>How <see cref="Posix.OpenSharedMemory"/> opens a named shared memory object; it is always read-write (O_RDWR).</summary>
[Flags]
public enum SharedMemoryOpenOptions
{
    /// <summary>Open an object that exists; ENOENT otherwise.</summary>
    None = 0,

    /// <summary>O_CREAT: create the object (size 0) when the name does not exist.</summary>
    Create = 1,

    /// <summary>O_EXCL, with <see cref="Create"/> only: fail with EEXIST when the name exists, so the caller knows it made the object.</summary>
    Exclusive = 2,
}
