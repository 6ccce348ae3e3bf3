using System.Runtime.CompilerServices;

namespace PosixProcs.SharedMemory;

/// <summary>
/// A fixed-length array of an unmanaged type in a <see cref="SharedMemoryRegion"/>, seen by
/// every process that maps the region (like Python's multiprocessing.Array, without a lock).
/// For <c>int</c>, <c>long</c>, <c>uint</c> and <c>ulong</c> elements, <see cref="SharedAtomics"/>
/// adds atomic add, exchange and compare-exchange that are correct across processes.
/// </summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
public sealed unsafe class SharedArray<T>
    where T : unmanaged
{
    private readonly SharedMemoryRegion _region;
    private readonly T* _first;

    /// <summary>A view of <paramref name="length"/> elements at <paramref name="offset"/> in <paramref name="region"/>.</summary>
    /// <param name="region">The region; it must outlive this view.</param>
    /// <param name="length">How many elements, 0 or more.</param>
    /// <param name="offset">Byte offset, aligned to the element's natural alignment.</param>
    /// <exception cref="ArgumentNullException"><paramref name="region"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The array does not fit in the region, or <paramref name="length"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="offset"/> is misaligned.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public SharedArray(SharedMemoryRegion region, int length, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _region = region;
        _first = (T*)region.Pointer(offset, (long)length * sizeof(T), NaturalAlignment.Of<T>(), nameof(offset));
        Length = length;
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The element at <paramref name="index"/>, by reference (a plain access; see <see cref="SharedAtomics"/> for atomic ones).</summary>
    /// <param name="index">0 to <see cref="Length"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public ref T this[int index]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
            if ((uint)index >= (uint)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The array has {Length} elements.");
            }

            return ref Unsafe.AsRef<T>(_first + index);
        }
    }

    /// <summary>The whole array as a span; valid while the region is.</summary>
    /// <returns>The span.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public Span<T> AsSpan()
    {
        ObjectDisposedException.ThrowIf(_region.IsDisposed, _region);
        return new Span<T>(_first, Length);
    }
}
