namespace PosixProcs.SharedMemory;

/// <summary>
/// A block of memory shared between processes, owned by this object: disposing it unmaps
/// the memory (munmap) and closes the descriptor, if any. The kernel frees the memory when
/// the last process that maps it unmaps it or dies; no name is ever left in /dev/shm.
/// </summary>
/// <remarks>
/// The memory starts zeroed and is page-aligned. It never moves, so views over it
/// (<see cref="SharedValue{T}"/>, <see cref="SharedArray{T}"/>, <see cref="RingBuffer"/>,
/// the locks) keep pointers into it: dispose the region only after its views are done.
/// </remarks>
public sealed unsafe class SharedMemoryRegion : IDisposable
{
    private readonly MemoryMapping _mapping;
    private readonly FileDescriptorHandle? _descriptor;

    private SharedMemoryRegion(MemoryMapping mapping, FileDescriptorHandle? descriptor)
    {
        _mapping = mapping;
        _descriptor = descriptor;
    }

    /// <summary>The region's size in bytes.</summary>
    public long Length => _mapping.Length;

    /// <summary>Anonymous or descriptor-backed.</summary>
    public SharedMemoryBacking Backing => _descriptor is null ? SharedMemoryBacking.Anonymous : SharedMemoryBacking.Descriptor;

    /// <summary>
    /// The descriptor behind a <see cref="SharedMemoryBacking.Descriptor"/> region, to hand to
    /// a spawned program (it is close-on-exec: name it in the spawn's descriptor map);
    /// <c>null</c> for anonymous memory. Owned by the region: do not dispose it.
    /// </summary>
    public FileDescriptorHandle? Descriptor => _descriptor;

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _mapping.IsClosed;

    /// <summary>The whole region as a span (regions over 2 GiB: use <see cref="Slice"/>).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    /// <exception cref="OverflowException">The region is larger than a span can be.</exception>
    public Span<byte> Span => _mapping.Span;

    /// <summary>Creates a zeroed shared region.</summary>
    /// <param name="length">Bytes, 1 or more; the kernel rounds the mapping up to whole pages.</param>
    /// <param name="options">Backing and pre-faulting; <c>null</c> for anonymous memory faulted on first touch.</param>
    /// <returns>The region; dispose it to unmap.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is 0 or negative.</exception>
    /// <exception cref="PosixException">memfd_create, ftruncate, mmap or madvise failed.</exception>
    public static SharedMemoryRegion Create(long length, SharedMemoryOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        options ??= new SharedMemoryOptions();
        FileDescriptorHandle? descriptor = options.Backing == SharedMemoryBacking.Descriptor ? Posix.CreateSharedMemory(length) : null;
        try
        {
            return Map(length, descriptor, options.Populate, options.HugePages);
        }
        catch
        {
            descriptor?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps shared memory that another process created and handed over by descriptor
    /// (the <see cref="Descriptor"/> of a <see cref="SharedMemoryBacking.Descriptor"/> region).
    /// The new region owns <paramref name="descriptor"/> and closes it when disposed.
    /// </summary>
    /// <param name="descriptor">The shared memory descriptor.</param>
    /// <param name="length">Bytes to map: at most the creator's length.</param>
    /// <param name="populate">Fault every page in now.</param>
    /// <returns>The region.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="descriptor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="descriptor"/> is closed or invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is 0 or negative.</exception>
    /// <exception cref="PosixException">mmap failed (EBADF, EACCES, ENODEV: not mappable).</exception>
    public static SharedMemoryRegion Attach(FileDescriptorHandle descriptor, long length, bool populate = false)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.IsInvalid || descriptor.IsClosed)
        {
            throw new ArgumentException("The descriptor is closed or invalid.", nameof(descriptor));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return Map(length, descriptor, populate, hugePages: false);
    }

    /// <summary>Part of the region as a span.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="length">Byte count.</param>
    /// <returns>The span.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the region.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public Span<byte> Slice(long offset, int length) => _mapping.Slice(offset, length);

    /// <summary>Unmaps the memory and closes the descriptor. Other processes keep their mappings.</summary>
    public void Dispose()
    {
        _mapping.Dispose();
        _descriptor?.Dispose();
    }

    /// <summary>
    /// The address of <paramref name="size"/> bytes at <paramref name="offset"/>, checked to
    /// lie inside the region and to be aligned to <paramref name="alignment"/>.
    /// </summary>
    internal byte* Pointer(long offset, long size, int alignment, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset, parameterName);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (offset > Length - size)
        {
            throw new ArgumentOutOfRangeException(parameterName, offset, $"{size} bytes at offset {offset} do not fit in a region of {Length} bytes.");
        }

        if (offset % alignment != 0)
        {
            throw new ArgumentException($"Offset {offset} is not a multiple of {alignment}: atomic operations and futex words need natural alignment.", parameterName);
        }

        return _mapping.BaseAddress + offset;
    }

    private static SharedMemoryRegion Map(long length, FileDescriptorHandle? descriptor, bool populate, bool hugePages)
    {
        MemoryMapping mapping = Posix.Map(length, MappingSharing.Shared, descriptor, populate);
        try
        {
            if (hugePages)
            {
                mapping.Advise(MemoryAdvice.HugePage);
            }

            return new SharedMemoryRegion(mapping, descriptor);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }
}
