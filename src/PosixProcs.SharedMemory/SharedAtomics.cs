using System.Runtime.CompilerServices;

namespace PosixProcs.SharedMemory;

/// <summary>
/// Atomic operations on shared values and array elements of the types the hardware updates
/// atomically. They are <see cref="Interlocked"/> operations on the mapped memory: lock-prefixed
/// instructions (x86) or exclusive/atomic instructions (ARM) act on the physical cache line,
/// so they are atomic across processes exactly as across threads, and are full fences.
/// </summary>
public static class SharedAtomics
{
    /// <summary>Reads the value with acquire semantics.</summary>
    /// <param name="value">The shared value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Read(this SharedValue<int> value) => Volatile.Read(ref Checked(value).Reference);

    /// <summary>Adds atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Add(this SharedValue<int> value, int delta) => Interlocked.Add(ref Checked(value).Reference, delta);

    /// <summary>Stores <paramref name="newValue"/> atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Exchange(this SharedValue<int> value, int newValue) => Interlocked.Exchange(ref Checked(value).Reference, newValue);

    /// <summary>Stores <paramref name="newValue"/> if the value equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int CompareExchange(this SharedValue<int> value, int newValue, int comparand) => Interlocked.CompareExchange(ref Checked(value).Reference, newValue, comparand);

    /// <summary>Reads element <paramref name="index"/> with acquire semantics.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Read(this SharedArray<int> array, int index) => Volatile.Read(ref Checked(array)[index]);

    /// <summary>Adds to element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Add(this SharedArray<int> array, int index, int delta) => Interlocked.Add(ref Checked(array)[index], delta);

    /// <summary>Stores into element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int Exchange(this SharedArray<int> array, int index, int newValue) => Interlocked.Exchange(ref Checked(array)[index], newValue);

    /// <summary>Stores into element <paramref name="index"/> if it equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static int CompareExchange(this SharedArray<int> array, int index, int newValue, int comparand) => Interlocked.CompareExchange(ref Checked(array)[index], newValue, comparand);

    /// <summary>Reads the value with acquire semantics.</summary>
    /// <param name="value">The shared value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Read(this SharedValue<long> value) => Volatile.Read(ref Checked(value).Reference);

    /// <summary>Adds atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Add(this SharedValue<long> value, long delta) => Interlocked.Add(ref Checked(value).Reference, delta);

    /// <summary>Stores <paramref name="newValue"/> atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Exchange(this SharedValue<long> value, long newValue) => Interlocked.Exchange(ref Checked(value).Reference, newValue);

    /// <summary>Stores <paramref name="newValue"/> if the value equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long CompareExchange(this SharedValue<long> value, long newValue, long comparand) => Interlocked.CompareExchange(ref Checked(value).Reference, newValue, comparand);

    /// <summary>Reads element <paramref name="index"/> with acquire semantics.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Read(this SharedArray<long> array, int index) => Volatile.Read(ref Checked(array)[index]);

    /// <summary>Adds to element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Add(this SharedArray<long> array, int index, long delta) => Interlocked.Add(ref Checked(array)[index], delta);

    /// <summary>Stores into element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long Exchange(this SharedArray<long> array, int index, long newValue) => Interlocked.Exchange(ref Checked(array)[index], newValue);

    /// <summary>Stores into element <paramref name="index"/> if it equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static long CompareExchange(this SharedArray<long> array, int index, long newValue, long comparand) => Interlocked.CompareExchange(ref Checked(array)[index], newValue, comparand);

    /// <summary>Reads the value with acquire semantics.</summary>
    /// <param name="value">The shared value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Read(this SharedValue<uint> value) => Volatile.Read(ref Checked(value).Reference);

    /// <summary>Adds atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Add(this SharedValue<uint> value, uint delta) => Interlocked.Add(ref Checked(value).Reference, delta);

    /// <summary>Stores <paramref name="newValue"/> atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Exchange(this SharedValue<uint> value, uint newValue) => Interlocked.Exchange(ref Checked(value).Reference, newValue);

    /// <summary>Stores <paramref name="newValue"/> if the value equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint CompareExchange(this SharedValue<uint> value, uint newValue, uint comparand) => Interlocked.CompareExchange(ref Checked(value).Reference, newValue, comparand);

    /// <summary>Reads element <paramref name="index"/> with acquire semantics.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Read(this SharedArray<uint> array, int index) => Volatile.Read(ref Checked(array)[index]);

    /// <summary>Adds to element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Add(this SharedArray<uint> array, int index, uint delta) => Interlocked.Add(ref Checked(array)[index], delta);

    /// <summary>Stores into element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint Exchange(this SharedArray<uint> array, int index, uint newValue) => Interlocked.Exchange(ref Checked(array)[index], newValue);

    /// <summary>Stores into element <paramref name="index"/> if it equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static uint CompareExchange(this SharedArray<uint> array, int index, uint newValue, uint comparand) => Interlocked.CompareExchange(ref Checked(array)[index], newValue, comparand);

    /// <summary>Reads the value with acquire semantics.</summary>
    /// <param name="value">The shared value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Read(this SharedValue<ulong> value) => Volatile.Read(ref Checked(value).Reference);

    /// <summary>Adds atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Add(this SharedValue<ulong> value, ulong delta) => Interlocked.Add(ref Checked(value).Reference, delta);

    /// <summary>Stores <paramref name="newValue"/> atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Exchange(this SharedValue<ulong> value, ulong newValue) => Interlocked.Exchange(ref Checked(value).Reference, newValue);

    /// <summary>Stores <paramref name="newValue"/> if the value equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="value">The shared value.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong CompareExchange(this SharedValue<ulong> value, ulong newValue, ulong comparand) => Interlocked.CompareExchange(ref Checked(value).Reference, newValue, comparand);

    /// <summary>Reads element <paramref name="index"/> with acquire semantics.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Read(this SharedArray<ulong> array, int index) => Volatile.Read(ref Checked(array)[index]);

    /// <summary>Adds to element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="delta">What to add (wraps around on overflow).</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Add(this SharedArray<ulong> array, int index, ulong delta) => Interlocked.Add(ref Checked(array)[index], delta);

    /// <summary>Stores into element <paramref name="index"/> atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong Exchange(this SharedArray<ulong> array, int index, ulong newValue) => Interlocked.Exchange(ref Checked(array)[index], newValue);

    /// <summary>Stores into element <paramref name="index"/> if it equals <paramref name="comparand"/>, atomically.</summary>
    /// <param name="array">The shared array.</param>
    /// <param name="index">The element.</param>
    /// <param name="newValue">The value to store.</param>
    /// <param name="comparand">The value expected.</param>
    /// <returns>The previous value: equal to <paramref name="comparand"/> when the store happened.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public static ulong CompareExchange(this SharedArray<ulong> array, int index, ulong newValue, ulong comparand) => Interlocked.CompareExchange(ref Checked(array)[index], newValue, comparand);

    private static T Checked<T>(T view, [CallerArgumentExpression(nameof(view))] string? name = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(view, name);
        return view;
    }
}
