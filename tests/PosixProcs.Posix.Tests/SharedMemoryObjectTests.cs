using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>
/// The raw named shared memory calls: shm_open, shm_unlink, fstat, ftruncate, geteuid, and the
/// unlink guard (a child process: serial with the tests that count children and descriptors).
/// </summary>
[Collection(SerialChildProcesses.Name)]
public sealed class SharedMemoryObjectTests : IDisposable
{
    private const string Prefix = "pptest_posix_";
    private readonly IReadOnlyList<string> _before = SharedMemoryNames.Existing(Prefix);

    /// <summary>Every test leaves /dev/shm as it found it.</summary>
    public void Dispose() => Assert.Equal(_before, SharedMemoryNames.Existing(Prefix));

    [Fact]
    public void OpenSharedMemory_CreateExclusive_OwnerOnlyCloseOnExecAndVisibleInDevShm()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        try
        {
            using FileDescriptorHandle fd = Posix.OpenSharedMemory("/" + name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive);
            Assert.True(fd.CloseOnExec);
            Assert.True(SharedMemoryNames.Exists(name));
            FileStatus status = Posix.GetFileStatus(fd);
            Assert.Equal(0, status.Size);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, status.Mode);
            Assert.Equal(Posix.EffectiveUserId, status.OwnerUserId);
        }
        finally
        {
            Posix.UnlinkSharedMemory("/" + name);
        }

        Assert.False(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void OpenSharedMemory_ExclusiveOnExistingName_ShmOpenEexist()
    {
        string name = "/" + SharedMemoryNames.Fresh(Prefix);
        using FileDescriptorHandle first = Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive);
        try
        {
            var ex = Assert.Throws<PosixException>(() => Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive));
            Assert.Equal("shm_open", ex.CallName);
            Assert.Equal(PosixErrno.EEXIST, ex.Errno);
        }
        finally
        {
            Posix.UnlinkSharedMemory(name);
        }
    }

    [Fact]
    public void OpenSharedMemory_MissingName_ShmOpenEnoent()
    {
        var ex = Assert.Throws<PosixException>(() => Posix.OpenSharedMemory("/" + SharedMemoryNames.Fresh(Prefix)));
        Assert.Equal("shm_open", ex.CallName);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Fact]
    public void UnlinkSharedMemory_TwiceOrMissing_ShmUnlinkEnoent()
    {
        string name = "/" + SharedMemoryNames.Fresh(Prefix);
        Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive).Dispose();
        Posix.UnlinkSharedMemory(name);
        var ex = Assert.Throws<PosixException>(() => Posix.UnlinkSharedMemory(name));
        Assert.Equal("shm_unlink", ex.CallName);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Fact]
    public void OpenSharedMemory_SecondOpenAfterTruncate_MapsTheSameBytes()
    {
        string name = "/" + SharedMemoryNames.Fresh(Prefix);
        using FileDescriptorHandle created = Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive);
        try
        {
            Posix.TruncateFile(created, Posix.PageSize);
            using FileDescriptorHandle opened = Posix.OpenSharedMemory(name);
            Assert.Equal(Posix.PageSize, Posix.GetFileStatus(opened).Size);
            using MemoryMapping writer = Posix.Map(Posix.PageSize, MappingSharing.Shared, created);
            using MemoryMapping reader = Posix.Map(Posix.PageSize, MappingSharing.Shared, opened);
            writer.Span[100] = 42;
            Assert.Equal(42, reader.Span[100]);
        }
        finally
        {
            Posix.UnlinkSharedMemory(name);
        }
    }

    [Fact]
    public void OpenSharedMemory_CreateWithGivenMode_ModeKeptUnlessUmaskRemovesIt()
    {
        string name = "/" + SharedMemoryNames.Fresh(Prefix);
        const UnixFileMode Requested = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherWrite;
        using FileDescriptorHandle fd = Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive, Requested);
        try
        {
            UnixFileMode mode = Posix.GetFileStatus(fd).Mode;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.Equal((UnixFileMode)0, mode & ~Requested);
        }
        finally
        {
            Posix.UnlinkSharedMemory(name);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("noslash")]
    [InlineData("/a/b")]
    [InlineData("/a\0b")]
    public void OpenSharedMemory_BadName_ArgumentException(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => Posix.OpenSharedMemory(name));
        Assert.ThrowsAny<ArgumentException>(() => Posix.UnlinkSharedMemory(name));
    }

    [Fact]
    public void OpenSharedMemory_NameLongerThanPlatformAllows_ArgumentException()
    {
        Assert.Equal(OperatingSystem.IsMacOS() ? 30 : 255, Posix.MaxSharedMemoryNameLength);
        Assert.Throws<ArgumentException>(() => Posix.OpenSharedMemory("/" + new string('x', Posix.MaxSharedMemoryNameLength + 1), SharedMemoryOpenOptions.Create));
    }

    [Fact]
    public void OpenSharedMemory_ExclusiveWithoutCreateOrModeBeyondPermissions_RefusedBeforeTheCall()
    {
        Assert.Throws<ArgumentException>(() => Posix.OpenSharedMemory("/" + SharedMemoryNames.Fresh(Prefix), SharedMemoryOpenOptions.Exclusive));
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.OpenSharedMemory("/" + SharedMemoryNames.Fresh(Prefix), SharedMemoryOpenOptions.Create, UnixFileMode.SetUser | UnixFileMode.UserRead));
    }

    [Fact]
    public void StartSharedMemoryUnlinkGuard_Disposed_NameKeptGuardReaped()
    {
        string name = "/" + SharedMemoryNames.Fresh(Prefix);
        Posix.OpenSharedMemory(name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive).Dispose();
        try
        {
            var guard = Posix.StartSharedMemoryUnlinkGuard(name);
            Assert.Equal(name, guard.Name);
            Assert.True(Posix.ProcessExists(guard.Pid));
            guard.Dispose();
            guard.Dispose();
            Assert.False(Posix.ProcessExists(guard.Pid));
            Assert.True(SharedMemoryNames.Exists(name[1..]));
        }
        finally
        {
            Posix.UnlinkSharedMemory(name);
        }
    }

    [Theory]
    [InlineData("noslash")]
    [InlineData("/a/b")]
    public void StartSharedMemoryUnlinkGuard_BadName_ArgumentExceptionAndNoFork(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => Posix.StartSharedMemoryUnlinkGuard(name));

    [Fact]
    public void GetFileStatus_ClosedDescriptor_Throws()
    {
        var fd = Posix.CreateSharedMemory(Posix.PageSize);
        Assert.Equal(Posix.PageSize, Posix.GetFileStatus(fd).Size);
        fd.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Posix.GetFileStatus(fd));
    }
}
