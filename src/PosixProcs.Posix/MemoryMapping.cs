using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>How a mapping is shared with children (mmap MAP_SHARED or MAP_PRIVATE).</summary>
public enum MappingSharing
{
    /// <summary>Writes are seen by every process that maps it, including forked children (MAP_SHARED).</summary>
    Shared = 1,

    /// <summary>Copy-on-write: after fork, each process's writes stay its own (MAP_PRIVATE).</summary>
    Private = 2,
}

/// <summary>Advice for madvise(2), in portable form.</summary>
public enum MemoryAdvice
{
    /// <summary>No special treatment.</summary>
    Normal = 0,

    /// <summary>Pages will be read in random order.</summary>
    Random = 1,

    /// <summary>Pages will be read in order.</summary>
    Sequential = 2,

    /// <summary>Pages will be needed soon.</summary>
    WillNeed = 3,

    /// <summary>Pages are not needed; private anonymous pages read back as zero afterwards.</summary>
    DontNeed = 4,

    /// <summary>Back with transparent huge pages (Linux only).</summary>
    HugePage = 5,

    /// <summary>Do not back with transparent huge pages (Linux only).</summary>
    NoHugePage = 6,
}

/// <summary>
/// An owned memory mapping (mmap); disposing it unmaps it (munmap). Mappings are not
/// moved by the GC, so spans and pointers into one stay valid until it is disposed.
/// </summary>
public sealed unsafe class MemoryMapping : SafeHandle
{
    private MemoryMapping(IntPtr address, long length, MappingSharing sharing)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
        Sharing = sharing;
    }

    /// <summary>The mapping's size in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether writes are shared across fork.</summary>
    public MappingSharing Sharing { get; }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The first byte. Valid until the mapping is disposed; keep it alive meanwhile.</summary>
    /// <exception cref="ObjectDisposedException">The mapping is unmapped.</exception>
    public byte* BaseAddress
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return (byte*)handle;
        }
    }

    /// <summary>The whole mapping as a span (mappings over 2 GiB: use <see cref="Slice"/>).</summary>
    /// <exception cref="ObjectDisposedException">The mapping is unmapped.</exception>
    public Span<byte> Span => new(BaseAddress, checked((int)Length));

    /// <summary>Part of the mapping as a span.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="length">Byte count.</param>
    /// <returns>The span.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the mapping.</exception>
    public Span<byte> Slice(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, Length, nameof(length));
        return new Span<byte>(BaseAddress + offset, length);
    }

    /// <summary>Creates a mapping. Used by <see cref="Posix.Map(long, MappingSharing, FileDescriptorHandle?, bool)"/>.</summary>
    internal static MemoryMapping Create(long length, MappingSharing sharing, FileDescriptorHandle? fd, bool populate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (!Enum.IsDefined(sharing))
        {
            throw new ArgumentOutOfRangeException(nameof(sharing), sharing, "Unknown sharing.");
        }

        int flags = (sharing == MappingSharing.Shared ? Interop.PP_MAP_SHARED : Interop.PP_MAP_PRIVATE)
            | (fd is null ? Interop.PP_MAP_ANONYMOUS : 0)
            | (populate ? Interop.PP_MAP_POPULATE : 0);
        void* address = null;
        void** result = &address;
        int rc = fd is null
            ? Interop.mmap((ulong)length, Interop.PP_PROT_READ | Interop.PP_PROT_WRITE, flags, -1, 0, result)
            : fd.Use(n => Interop.mmap((ulong)length, Interop.PP_PROT_READ | Interop.PP_PROT_WRITE, flags, n, 0, result));
        Errors.ThrowIfNegative(rc, "mmap");
        return new MemoryMapping((IntPtr)address, length, sharing);
    }

    /// <summary>Flushes changes to the backing file (msync MS_SYNC); for anonymous memory a no-op.</summary>
    /// <exception cref="PosixException">msync failed.</exception>
    public void Flush()
    {
        int flags = Interop.GetPlatformConstant((int)PlatformConstant.MS_SYNC);
        Errors.ThrowIfNegative(Interop.msync(BaseAddress, (nuint)Length, flags), "msync");
    }

    /// <summary>Gives the kernel advice about a range of the mapping (madvise).</summary>
    /// <param name="advice">The advice.</param>
    /// <param name="offset">Start, a multiple of the page size.</param>
    /// <param name="length">Length; <c>null</c> for the rest of the mapping.</param>
    /// <exception cref="PosixException">madvise failed; ENOTSUP for huge-page advice outside Linux.</exception>
    public void Advise(MemoryAdvice advice, long offset = 0, long? length = null)
    {
        if (!Enum.IsDefined(advice))
        {
            throw new ArgumentOutOfRangeException(nameof(advice), advice, "Unknown advice.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long count = length ?? (Length - offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length, nameof(length));
        Errors.ThrowIfNegative(Interop.madvise(BaseAddress + offset, (ulong)count, (int)advice), "madvise");
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.munmap((void*)handle, (nuint)Length) == 0;
}
