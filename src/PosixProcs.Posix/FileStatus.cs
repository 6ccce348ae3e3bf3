namespace PosixProcs;

/// <summary>What fstat reports about an open file that PosixProcs needs: its size, owner and permission bits.</summary>
/// <param name="Size">st_size: bytes (for a shared memory object, what ftruncate set).</param>
/// <param name="OwnerUserId">st_uid: the user that owns the file.</param>
/// <param name="OwnerGroupId">st_gid: the group that owns the file.</param>
/// <param name="Mode">The permission, set-id and sticky bits of st_mode (the file type left out).</param>
public readonly record struct FileStatus(long Size, uint OwnerUserId, uint OwnerGroupId, UnixFileMode Mode);
