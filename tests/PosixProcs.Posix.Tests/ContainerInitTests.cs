namespace PosixProcs.PosixTests;

public class ContainerInitTests
{
    [Fact]
    public void Arguments_EveryOption_InTheInitsOwnSpelling()
    {
        IReadOnlyList<string> argv = ContainerInit.Arguments("/x/posixprocs-init", new ContainerInitOptions
        {
            Subreaper = true,
            ForwardToGroup = true,
            ParentDeathSignal = Signal.SIGTERM,
            GracePeriod = TimeSpan.FromMilliseconds(1500.2),
            Verbose = true,
        }, "sh", ["-c", "exit 7"]);
        Assert.Equal(["/x/posixprocs-init", "-s", "-g", "-p", Signal.SIGTERM.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "1501", "-v", "--", "sh", "-c", "exit 7"], argv);
    }

    [Fact]
    public void Arguments_NegativeGracePeriod_ThrowsBeforeAnything()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ContainerInit.Arguments("/x/init", new ContainerInitOptions { GracePeriod = TimeSpan.FromSeconds(-1) }, "true", []));
    }

    [Fact]
    public void Find_BuildOutput_IsUnderRuntimesAndExecutable()
    {
        string? init = ContainerInit.Find();
        Assert.NotNull(init);
        Assert.Equal(ContainerInit.SearchPaths()[1], init);
        Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(init) & UnixFileMode.UserExecute);
    }

    [Fact]
    public void Find_EmptyDirectory_NullAndBothPlacesListed()
    {
        DirectoryInfo empty = Directory.CreateTempSubdirectory("container-init-");
        try
        {
            Assert.Null(ContainerInit.Find(empty.FullName));
            Assert.Equal(2, ContainerInit.SearchPaths(empty.FullName).Count);
            Assert.All(ContainerInit.SearchPaths(empty.FullName), path => Assert.StartsWith(empty.FullName, path, StringComparison.Ordinal));
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public void ChangeMode_OwnFile_SetsTheBits()
    {
        string file = Path.GetTempFileName();
        try
        {
            Posix.ChangeMode(file, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ChangeMode_MissingFile_ThrowsChmodEnoent()
    {
        PosixException error = Assert.Throws<PosixException>(() => Posix.ChangeMode("/no/such/file", UnixFileMode.UserRead));
        Assert.Equal("chmod", error.CallName);
        Assert.Equal(PosixErrno.ENOENT, error.Errno);
    }

    [Fact]
    public void ChangeMode_PathWithNul_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Posix.ChangeMode("a\0b", UnixFileMode.UserRead));
    }

    [Fact]
    public void Fork_UnknownChildGroup_ThrowsBeforeForking()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Posix.Fork(group: (ChildGroup)7));
    }
}
