namespace PosixProcs.SharedMemory;

/// <summary>
/// A block of memory shared between processes, owned by this object: disposing it unmaps
/// the memory (munmap) and closes the descriptor, if any. The kernel frees the memory when
/// the last process that maps it unmaps it or dies, and, for a
/// <see cref="SharedMemoryBacking.Named"/> region, once its name is unlinked too: anonymous
/// and descriptor-backed regions never leave a name in /dev/shm; a named one does until it
/// is unlinked (see <see cref="Unlink()"/>).
/// </summary>
/// <remarks>
/// The memory starts zeroed and is page-aligned. It never moves, so views over it
/// (<see cref="SharedValue{T}"/>, <see cref="SharedArray{T}"/>, <see cref="RingBuffer"/>,
/// the locks) keep pointers into it: dispose the region only after its views are done.
/// </remarks>
public sealed unsafe class SharedMemoryRegion : IDisposable
{
    /// <summary>How many random names a named creation tries before it reports EEXIST.</summary>
    private const int RandomNameAttempts = 16;

    private readonly MemoryMapping _mapping;
    private readonly FileDescriptorHandle? _descriptor;
    private readonly string? _name;
    private readonly bool _unlinkOnDispose;
    private SharedMemoryUnlinkGuard? _guard;
    private int _unlinked;

    private SharedMemoryRegion(MemoryMapping mapping, FileDescriptorHandle? descriptor, string? name, bool unlinkOnDispose)
    {
        _mapping = mapping;
        _descriptor = descriptor;
        _name = name;
        _unlinkOnDispose = unlinkOnDispose;
    }

    /// <summary>The region's size in bytes.</summary>
    public long Length => _mapping.Length;

    /// <summary>Anonymous, descriptor-backed or named.</summary>
    public SharedMemoryBacking Backing =>
        _name is not null ? SharedMemoryBacking.Named : _descriptor is null ? SharedMemoryBacking.Anonymous : SharedMemoryBacking.Descriptor;

    /// <summary>
    /// The name of a <see cref="SharedMemoryBacking.Named"/> region, without the leading slash
    /// (as Python's <c>SharedMemory.name</c>): pass it to another process, which calls
    /// <see cref="Attach(string, bool)"/>. <c>null</c> for other regions. Still reported after the name is unlinked.
    /// </summary>
    public string? Name => _name;

    /// <summary>
    /// The guard process that unlinks the name if this creator dies first
    /// (<see cref="SharedMemoryOptions.UnlinkWhenCreatorDies"/>); <c>null</c> when there is none,
    /// and once the name is unlinked (the guard is then stood down and reaped).
    /// </summary>
    public Pid? UnlinkGuardPid => Volatile.Read(ref _guard)?.Pid;

    /// <summary>Whether this object has unlinked its name (<see cref="Unlink()"/>, or <see cref="Dispose"/> for the creator).</summary>
    public bool IsUnlinked => Volatile.Read(ref _unlinked) != 0;

    /// <summary>
    /// The descriptor behind a <see cref="SharedMemoryBacking.Descriptor"/> or <see cref="SharedMemoryBacking.Named"/> region, to hand to
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
    /// <param name="options">Backing, name and pre-faulting; <c>null</c> for anonymous memory faulted on first touch.</param>
    /// <returns>The region; dispose it to unmap (and, for a named region created with <see cref="SharedMemoryOptions.UnlinkOnDispose"/>, to unlink its name).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is 0 or negative.</exception>
    /// <exception cref="ArgumentException"><see cref="SharedMemoryOptions.Name"/> is not a valid name, or is set for a region that is not <see cref="SharedMemoryBacking.Named"/>.</exception>
    /// <exception cref="PosixException">memfd_create, shm_open (EEXIST: the name is taken), ftruncate, mmap or madvise failed.</exception>
    public static SharedMemoryRegion Create(long length, SharedMemoryOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        options ??= new SharedMemoryOptions();
        if (options.Backing == SharedMemoryBacking.Named)
        {
            return CreateNamed(length, options);
        }

        if (options.Name is not null)
        {
            throw new ArgumentException($"A name is given but the backing is {options.Backing}: names are for {nameof(SharedMemoryBacking)}.{nameof(SharedMemoryBacking.Named)} regions.", nameof(options));
        }

        FileDescriptorHandle? descriptor = options.Backing == SharedMemoryBacking.Descriptor ? Posix.CreateSharedMemory(length) : null;
        try
        {
            return Map(length, descriptor, options.Populate, options.HugePages, name: null, unlinkOnDispose: false);
        }
        catch
        {
            descriptor?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps the <see cref="SharedMemoryBacking.Named"/> region that another process (of the
    /// same user) created as <paramref name="name"/>: Python's <c>SharedMemory(name=...)</c>
    /// without <c>create</c>. The length is the object's size (fstat). Disposing this region
    /// never unlinks the name: the creator or <see cref="Unlink()"/> does.
    /// </summary>
    /// <param name="name">The name, as <see cref="Name"/> reports it (one leading slash is accepted).</param>
    /// <param name="populate">Fault every page in now.</param>
    /// <returns>The region.</returns>
    /// <exception cref="ArgumentException">The name is not valid (checked before any system call).</exception>
    /// <exception cref="UnauthorizedAccessException">The object belongs to another user: the mode of a shared memory object can be loosened by its owner (chmod 0666), and memory whose layout another user controls is not to be trusted, so only objects owned by this process's effective user are attached.</exception>
    /// <exception cref="InvalidDataException">The object's size is 0: its creator has not sized it yet, or it was not made by <see cref="Create"/>.</exception>
    /// <exception cref="PosixException">shm_open failed (ENOENT: no such name; EACCES: the mode refuses this user), or fstat or mmap did.</exception>
    public static SharedMemoryRegion Attach(string name, bool populate = false)
    {
        string bare = SharedMemoryName.Normalize(name, nameof(name));
        FileDescriptorHandle descriptor = Posix.OpenSharedMemory(SharedMemoryName.ForSystem(bare));
        try
        {
            FileStatus status = Posix.GetFileStatus(descriptor);
            uint self = Posix.EffectiveUserId;
            if (status.OwnerUserId != self)
            {
                throw new UnauthorizedAccessException(
                    $"The shared memory object \"{bare}\" belongs to user {status.OwnerUserId} (mode {Convert.ToString((int)status.Mode, 8)}), not to this process's effective user {self}: " +
                    "only objects owned by the attaching user are attached, whatever their mode.");
            }

            if (status.Size == 0)
            {
                throw new InvalidDataException($"The shared memory object \"{bare}\" has size 0: its creator has not sized it yet (shm_open, then ftruncate), or it was not made to be attached.");
            }

            return Map(status.Size, descriptor, populate, hugePages: false, bare, unlinkOnDispose: false);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the name <paramref name="name"/> (shm_unlink) without mapping it: for whoever
    /// cleans up after a creator that died before unlinking. Processes that map the memory keep it.
    /// </summary>
    /// <param name="name">The name, as <see cref="Name"/> reports it (one leading slash is accepted).</param>
    /// <returns>True if the name was removed; false if there was no such name (ENOENT), e.g. it was unlinked already.</returns>
    /// <exception cref="ArgumentException">The name is not valid.</exception>
    /// <exception cref="PosixException">shm_unlink failed for another reason (EACCES: another user's object).</exception>
    public static bool Unlink(string name) => UnlinkName(SharedMemoryName.Normalize(name, nameof(name)));

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
        return Map(length, descriptor, populate, hugePages: false, name: null, unlinkOnDispose: false);
    }

    /// <summary>Part of the region as a span.</summary>
    /// <param name="offset">Byte offset.</param>
    /// <param name="length">Byte count.</param>
    /// <returns>The span.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the region.</exception>
    /// <exception cref="ObjectDisposedException">The region is disposed.</exception>
    public Span<byte> Slice(long offset, int length) => _mapping.Slice(offset, length);

    /// <summary>
    /// Removes this named region's name (shm_unlink), once: Python's <c>SharedMemory.unlink()</c>.
    /// The memory stays mapped here and in every process that attached; nobody can attach
    /// any more, and the kernel frees the memory when the last mapping goes, even if a process
    /// is SIGKILLed. Unlinking as soon as every process has attached is therefore the way to
    /// leave nothing behind whatever happens later. An unlink guard
    /// (<see cref="SharedMemoryOptions.UnlinkWhenCreatorDies"/>) is stood down and reaped here.
    /// </summary>
    /// <returns>True if this call removed the name; false if this object unlinked it before (no system call then: the name may since name someone else's object) or the name was already gone (ENOENT).</returns>
    /// <exception cref="InvalidOperationException">The region is not <see cref="SharedMemoryBacking.Named"/>.</exception>
    /// <exception cref="PosixException">shm_unlink failed for another reason.</exception>
    public bool Unlink()
    {
        if (_name is null)
        {
            throw new InvalidOperationException($"Only {nameof(SharedMemoryBacking.Named)} regions have a name to unlink; this one is {Backing}.");
        }

        if (Interlocked.Exchange(ref _unlinked, 1) != 0)
        {
            return false;
        }

        try
        {
            return UnlinkName(_name);
        }
        finally
        {
            // The name is gone: a guard left armed could later unlink someone else's object of that name.
            Interlocked.Exchange(ref _guard, null)?.Dispose();
        }
    }

    /// <summary>
    /// Unmaps the memory and closes the descriptor. Other processes keep their mappings. The
    /// creator of a named region also unlinks its name here, unless
    /// <see cref="SharedMemoryOptions.UnlinkOnDispose"/> was false or it was unlinked already.
    /// </summary>
    /// <exception cref="PosixException">shm_unlink failed with something other than ENOENT (after the memory was unmapped and the descriptor closed).</exception>
    public void Dispose()
    {
        _mapping.Dispose();
        _descriptor?.Dispose();
        if (_unlinkOnDispose && _name is not null)
        {
            _ = Unlink();
        }
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

    private static SharedMemoryRegion CreateNamed(long length, SharedMemoryOptions options)
    {
        if (options.UnlinkWhenCreatorDies && !options.UnlinkOnDispose)
        {
            throw new ArgumentException($"{nameof(SharedMemoryOptions.UnlinkWhenCreatorDies)} needs {nameof(SharedMemoryOptions.UnlinkOnDispose)}: a name meant to outlive its creator cannot also be removed when the creator dies.", nameof(options));
        }

        string? given = options.Name is null ? null : SharedMemoryName.Normalize(options.Name, nameof(options));
        string name;
        FileDescriptorHandle descriptor;
        for (int attempt = 1; ; attempt++)
        {
            name = given ?? SharedMemoryName.Random();
            try
            {
                descriptor = Posix.OpenSharedMemory(SharedMemoryName.ForSystem(name), SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive);
                break;
            }
            catch (PosixException ex) when (ex.Errno == PosixErrno.EEXIST && given is null && attempt < RandomNameAttempts)
            {
                // 48 random bits taken by another object: draw again, as Python does.
            }
        }

        SharedMemoryUnlinkGuard? guard = null;
        try
        {
            // The guard first: from here on, a creator killed at any point leaves no name.
            guard = options.UnlinkWhenCreatorDies ? Posix.StartSharedMemoryUnlinkGuard(SharedMemoryName.ForSystem(name)) : null;
            Posix.TruncateFile(descriptor, length);
            SharedMemoryRegion region = Map(length, descriptor, options.Populate, options.HugePages, name, options.UnlinkOnDispose);
            region._guard = guard;
            return region;
        }
        catch
        {
            descriptor.Dispose();
            UnlinkName(name);
            guard?.Dispose();
            throw;
        }
    }

    /// <summary>shm_unlink of a bare name: true if removed, false on ENOENT.</summary>
    private static bool UnlinkName(string bareName)
    {
        try
        {
            Posix.UnlinkSharedMemory(SharedMemoryName.ForSystem(bareName));
            return true;
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ENOENT)
        {
            return false;
        }
    }

    private static SharedMemoryRegion Map(long length, FileDescriptorHandle? descriptor, bool populate, bool hugePages, string? name, bool unlinkOnDispose)
    {
        MemoryMapping mapping = Posix.Map(length, MappingSharing.Shared, descriptor, populate);
        try
        {
            if (hugePages)
            {
                mapping.Advise(MemoryAdvice.HugePage);
            }

            return new SharedMemoryRegion(mapping, descriptor, name, unlinkOnDispose);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }
}
