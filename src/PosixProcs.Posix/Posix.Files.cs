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

    /// <summary>Reports an open file's size, owner and permission bits (fstat).</summary>
    /// <param name="fd">The open descriptor.</param>
    /// <returns>The status.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fd"/> is null.</exception>
    /// <exception cref="PosixException">fstat failed (EBADF).</exception>
    public static unsafe FileStatus GetFileStatus(FileDescriptorHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        FileStatusNative status;
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            Errors.ThrowIfNegative(Interop.fstat((int)fd.DangerousGetHandle(), &status), "fstat");
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }

        return new FileStatus(status.Size, status.OwnerUserId, status.OwnerGroupId, (UnixFileMode)status.Mode);
    }

    /// <summary>Sets an open file's size (ftruncate): a shared memory object starts at 0 bytes and is sized this way. EINTR is retried.</summary>
    /// <param name="fd">The open, writable descriptor.</param>
    /// <param name="length">The new size in bytes, 0 or more; new bytes read as zero.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fd"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="PosixException">ftruncate failed (EINVAL, EFBIG, EBADF; ENOMEM or ENOSPC past the shared memory limit).</exception>
    public static void TruncateFile(FileDescriptorHandle fd, long length)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        fd.Use(n =>
        {
            int rc;
            while ((rc = Interop.ftruncate(n, length)) < 0 && Errors.LastErrno() == PosixErrno.EINTR)
            {
            }

            return Errors.ThrowIfNegative(rc, "ftruncate");
        });
    }
}
