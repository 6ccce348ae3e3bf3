namespace PosixProcs.SharedMemory;

/// <summary>The alignment a value in shared memory needs so that word-sized accesses to it are atomic.</summary>
internal static class NaturalAlignment
{
    /// <summary>The largest power of two that divides the size of <typeparamref name="T"/>, at most 8.</summary>
    public static unsafe int Of<T>()
        where T : unmanaged
    {
        int size = sizeof(T);
        return Math.Min(8, size & -size);
    }
}
