using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PosixProcs.SharedMemory;

/// <summary>Creates and opens <see cref="SharedQueue{T}"/>s.</summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The factory of SharedQueue<T>, named after it.")]
public static unsafe class SharedQueue
{
    /// <summary>The bytes a queue of <paramref name="capacity"/> needs in a region.</summary>
    /// <param name="capacity">The ring's capacity: a power of two from 64 to 2^30.</param>
    /// <returns>Header plus ring.</returns>
    /// <exception cref="ArgumentException"><paramref name="capacity"/> is not a power of two in range.</exception>
    public static long RequiredLength(int capacity) => SharedQueueLayout.RingOffset + RingBuffer.RequiredLength(capacity);

    /// <summary>Creates an empty queue in new shared memory that the queue owns (disposing the queue unmaps it).</summary>
    /// <param name="options">Capacity and memory; <c>null</c> for the defaults.</param>
    /// <param name="serializer">
    /// How items become bytes; <c>null</c>: raw copies for unmanaged <typeparamref name="T"/>,
    /// <see cref="JsonSharedQueueSerializer{T}"/> otherwise.
    /// </param>
    /// <typeparam name="T">The item type.</typeparam>
    /// <returns>The queue.</returns>
    /// <exception cref="PosixException">Creating the shared memory failed.</exception>
    public static SharedQueue<T> Create<T>(SharedQueueOptions? options = null, ISharedQueueSerializer<T>? serializer = null)
    {
        options ??= new SharedQueueOptions();
        var region = SharedMemoryRegion.Create(RequiredLength(options.Capacity), options.Memory);
        try
        {
            byte* start = region.Pointer(0, SharedQueueLayout.RingOffset, RingBufferLayout.CacheLineSeparation, nameof(region));
            RingBuffer ring = RingBuffer.Create(region, options.Capacity, RingBufferProducers.Many, SharedQueueLayout.RingOffset);
            serializer ??= DefaultSerializer<T>();
            *(int*)(start + SharedQueueLayout.VersionOffset) = SharedQueueLayout.Version;
            *(int*)(start + SharedQueueLayout.ItemSizeOffset) = serializer is null ? Unsafe.SizeOf<T>() : 0;
            Volatile.Write(ref *(ulong*)(start + SharedQueueLayout.MagicOffset), SharedQueueLayout.Magic);
            return new SharedQueue<T>(region, ownsRegion: true, ring, serializer);
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Opens a queue that <see cref="Create{T}"/> made, in a region mapped from its descriptor. The region stays the caller's.</summary>
    /// <param name="region">The queue's memory, e.g. from <see cref="SharedMemoryRegion.Attach(FileDescriptorHandle, long, bool)"/>.</param>
    /// <param name="serializer">The same kind of serializer the creator used; <c>null</c> for the same default.</param>
    /// <typeparam name="T">The item type.</typeparam>
    /// <returns>The queue.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The region is too small to hold a queue header.</exception>
    /// <exception cref="InvalidDataException">The memory does not hold a queue of this layout, or its items are of another size or format.</exception>
    public static SharedQueue<T> Attach<T>(SharedMemoryRegion region, ISharedQueueSerializer<T>? serializer = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        byte* start = region.Pointer(0, SharedQueueLayout.RingOffset, RingBufferLayout.CacheLineSeparation, nameof(region));
        ulong magic = Volatile.Read(ref *(ulong*)(start + SharedQueueLayout.MagicOffset));
        if (magic != SharedQueueLayout.Magic)
        {
            throw new InvalidDataException($"No shared queue in this region: the magic number is 0x{magic:X16}, expected 0x{SharedQueueLayout.Magic:X16}.");
        }

        int version = *(int*)(start + SharedQueueLayout.VersionOffset);
        if (version != SharedQueueLayout.Version)
        {
            throw new InvalidDataException($"The shared queue has layout version {version}; this library reads version {SharedQueueLayout.Version}.");
        }

        serializer ??= DefaultSerializer<T>();
        int itemSize = *(int*)(start + SharedQueueLayout.ItemSizeOffset);
        int expected = serializer is null ? Unsafe.SizeOf<T>() : 0;
        if (itemSize != expected)
        {
            throw new InvalidDataException($"The shared queue holds {(itemSize == 0 ? "serialized items" : $"raw items of {itemSize} bytes")}, but {typeof(T).Name} here is {(expected == 0 ? "serialized" : $"raw, {expected} bytes")}.");
        }

        RingBuffer ring = RingBuffer.Attach(region, SharedQueueLayout.RingOffset);
        return new SharedQueue<T>(region, ownsRegion: false, ring, serializer);
    }

    /// <summary>Raw copies for unmanaged types (no references inside), JSON otherwise.</summary>
    private static JsonSharedQueueSerializer<T>? DefaultSerializer<T>() =>
        RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? new JsonSharedQueueSerializer<T>() : null;
}
