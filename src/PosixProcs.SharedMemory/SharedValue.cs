using System.Runtime.CompilerServices;

namespace PosixProcs.SharedMemory;

/// <summary>
/// One value of an unmanaged type in a <see cref="SharedMemoryRegion"/>, seen by every
/// process that maps the region (like Python's multiprocessing.Value, without a lock).
/// For <c>int</c>, <c>long</c>, <c>uint</c> and <c>ulong</c>, <see cref="SharedAtomics"/> adds
/// atomic add, exchange and compare-exchange that are correct across processes.
/// </summary>
/// <typeparam name="T">An unmanaged type: its bytes are the value, with no references.</typeparam>
/// <remarks>
/// <see cref="Value"/> is a plain read or write: a value wider than 8 bytes can be seen half
/// written by another process. Guard such values with a <see cref="SharedLock"/>.
/// </remarks>
public sealed unsafe class SharedValue<T>
    where T : unmanaged
{
    private readonly SharedMemoryRegion _region;
    private readonly T* _address;

    /// <summary>A view of the <typeparamref name="T"/> at <paramref name="offset"/> in <paramref name="region"/>.</summary>
    /// <param name="region">The region; it must outlive this view.</param>
    /// <param name="offset">Byte offset, aligned to the value's natural alignment (its size's largest power-of-two factor, at most 8).</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit in the region at that offset.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is misaligned.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public SharedValue(SharedMemoryRegion region, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        _region = region;
        _address = (T*)region.Pointer(offset, sizeof(T), NaturalAlignment.Of<T>(), nameof(offset));
    }

    /// <summary>The bytes one value takes.</summary>
    public int Size => sizeof(T);

    /// <summary>The value itself, by reference, for <see cref="Interlocked"/> or <see cref="Volatile"/> calls of your own.</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public ref T Reference
    {
        get
        {
            ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
            return ref Unsafe.AsRef<T>(_address);
        }
    }

    /// <summary>The value (a plain read or write, see the remarks on the type).</summary>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public T Value
    {
        get => Reference;
        set => Reference = value;
    }
}
