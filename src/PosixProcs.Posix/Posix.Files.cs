using System.Runtime.InteropServices;

namespace PosixProcs;

public static partial class Posix
{
    /// <summary>Sets a file's permission bits (chmod).</summary>
    /// <param name="path">The file.</param>
    /// <param name="mode">The permission bits (and set-user-id, set-group-id, sticky), as .NET spells them.</param>
    /// <exception cref="ArgumentException">An empty path, or one that holds a NUL character.</exception>
    /// <exception cref="PosixException">chmod failed: EPERM (not the file's owner), ENOENT, EROFS, EACCES.</exception>
    public static unsafe void ChangeMode(string path, UnixFileMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A path cannot hold a NUL character.", nameof(path));
        }

        if (((int)mode & ~0xFFF) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Only permission, set-id and sticky bits can be set.");
        }

        var allocations = new List<IntPtr>();
        try
        {
            Errors.ThrowIfNegative(Interop.chmod(Utf8(path, allocations), (uint)mode), "chmod");
        }
        finally
        {
            foreach (IntPtr allocation in allocations)
            {
                NativeMemory.Free((void*)allocation);
            }
        }
    }
}
