using System.Text;
using PosixProcs.SharedMemory;
using PosixProcs.Testing;

namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// Named regions (Python's <c>SharedMemory(name=...)</c>). Serial with the other tests that
/// count /dev/shm entries; every test leaves no name with this class's prefix behind, nor
/// a random <c>pp_</c> name.
/// </summary>
[Collection(SerialChildProcesses.Name)]
public sealed class NamedSharedMemoryTests : IDisposable
{
    private const string Prefix = "pptest_named_";
    private static readonly TimeSpan HelperTimeout = TimeSpan.FromSeconds(90);
    private readonly IReadOnlyList<string> _before = SharedMemoryNames.Existing(Prefix);
    private readonly IReadOnlyList<string> _randomBefore = SharedMemoryNames.Existing("pp_");

    /// <summary>Checks that the test left /dev/shm as it found it.</summary>
    public void Dispose()
    {
        Assert.Equal(_before, SharedMemoryNames.Existing(Prefix));
        Assert.Equal(_randomBefore, SharedMemoryNames.Existing("pp_"));
    }

    [Fact]
    public void Create_NamedWithoutName_RandomPpNameInDevShmUntilDispose()
    {
        string name;
        using (var region = SharedMemoryRegion.Create(100, Named(null)))
        {
            name = region.Name!;
            Assert.Matches("^pp_[0-9a-f]{12}$", name);
            Assert.Equal(SharedMemoryBacking.Named, region.Backing);
            Assert.True(SharedMemoryNames.Exists(name));
            Assert.True(region.Descriptor!.CloseOnExec);
            FileStatus status = Posix.GetFileStatus(region.Descriptor);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, status.Mode);
            Assert.Equal(100, status.Size);
        }

        Assert.False(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void Attach_SameProcessByName_SizeFromFstatAndSameBytes()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var created = SharedMemoryRegion.Create(10_000, Named(name));
        using var attached = SharedMemoryRegion.Attach("/" + name);
        Assert.Equal(name, created.Name);
        Assert.Equal(name, attached.Name);
        Assert.Equal(10_000, attached.Length);
        created.Span[9_999] = 42;
        Assert.Equal(42, attached.Span[9_999]);
    }

    [Fact]
    public void Attach_FromSpawnedProcessByName_CreatorSeesItsWrite()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var region = SharedMemoryRegion.Create(Posix.PageSize, Named(name));
        var counter = new SharedValue<long>(region);
        counter.Value = 41;

        var values = Helper.RunOk(nameof(NamedSharedMemoryScenarios.AttachAndIncrement), name);

        Assert.Equal("42", values["after"]);
        Assert.Equal(42, counter.Value);
        Assert.Equal($"{Posix.PageSize}", values["length"]);
        Assert.Equal("Named", values["backing"]);
        Assert.Equal(name, values["name"]);
        Assert.Equal("True", values["cloexec"]);
        Assert.Equal("True", values["exists"]);
    }

    [Fact]
    public void Attach_FromPythonSharedMemoryByName_CreatorSeesItsWrite()
    {
        // Python's SharedMemory(name=...) reaches the same object: "jobs" is /jobs for both.
        string name = SharedMemoryNames.Fresh(Prefix);
        using var region = SharedMemoryRegion.Create(Posix.PageSize, Named(name));
        region.Span[0] = 41;
        const string Script = "import sys\nfrom multiprocessing import shared_memory\n" +
            "s = shared_memory.SharedMemory(name=sys.argv[1])\ns.buf[0] += 1\nprint(f'size={s.size}')\ns.close()\n";

        ScenarioResult result = ExternalProcess.Run("python3", ["-c", Script, name], HelperTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{Posix.PageSize}", result.Values["size"]);
        Assert.Equal(42, region.Span[0]);

        // Python 3.8-3.12's resource tracker may unlink the name when the attacher exits
        // (CPython bpo-39959); the creator's Dispose then finds it gone, which is not an error.
    }

    [Fact]
    public void Create_NameTaken_ShmOpenEexistAndFirstRegionUntouched()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var first = SharedMemoryRegion.Create(100, Named(name));
        first.Span[0] = 9;
        var ex = Assert.Throws<PosixException>(() => SharedMemoryRegion.Create(200, Named(name)));
        Assert.Equal("shm_open", ex.CallName);
        Assert.Equal(PosixErrno.EEXIST, ex.Errno);
        using var attached = SharedMemoryRegion.Attach(name);
        Assert.Equal(100, attached.Length);
        Assert.Equal(9, attached.Span[0]);
    }

    [Fact]
    public void Attach_MissingName_ShmOpenEnoent()
    {
        var ex = Assert.Throws<PosixException>(() => SharedMemoryRegion.Attach(SharedMemoryNames.Fresh(Prefix)));
        Assert.Equal("shm_open", ex.CallName);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData(".")]
    [InlineData("/..")]
    [InlineData("a/b")]
    [InlineData("//a")]
    [InlineData("a\0b")]
    public void CreateAndAttach_BadName_ArgumentExceptionAndNothingCreated(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => SharedMemoryRegion.Create(100, Named(name)));
        Assert.ThrowsAny<ArgumentException>(() => SharedMemoryRegion.Attach(name));
        Assert.ThrowsAny<ArgumentException>(() => SharedMemoryRegion.Unlink(name));
    }

    [Fact]
    public void Create_NameLongerThanThePlatformAllows_ArgumentException()
    {
        string name = Prefix + new string('x', Posix.MaxSharedMemoryNameLength - Prefix.Length + 1);
        var ex = Assert.Throws<ArgumentException>(() => SharedMemoryRegion.Create(100, Named(name)));
        Assert.Contains($"at most {Posix.MaxSharedMemoryNameLength}", ex.Message, StringComparison.Ordinal);
        string longest = SharedMemoryNames.Fresh(Prefix).PadRight(Posix.MaxSharedMemoryNameLength, 'x');
        using var region = SharedMemoryRegion.Create(100, Named(longest));
        Assert.True(SharedMemoryNames.Exists(longest));
    }

    [Fact]
    public void Create_NameWithoutNamedBacking_ArgumentException()
    {
        var options = new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor, Name = SharedMemoryNames.Fresh(Prefix) };
        Assert.Throws<ArgumentException>(() => SharedMemoryRegion.Create(100, options));
    }

    [Fact]
    public void Unlink_ThenAttach_EnoentWhileMappingsStillShareBytes()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var created = SharedMemoryRegion.Create(100, Named(name));
        using var attached = SharedMemoryRegion.Attach(name);
        Assert.True(attached.Unlink());
        Assert.True(attached.IsUnlinked);
        Assert.False(SharedMemoryNames.Exists(name));
        Assert.False(attached.Unlink());
        Assert.False(created.Unlink());
        Assert.Equal(PosixErrno.ENOENT, Assert.Throws<PosixException>(() => SharedMemoryRegion.Attach(name)).Errno);
        created.Span[5] = 5;
        Assert.Equal(5, attached.Span[5]);
        Assert.Equal(name, created.Name);
    }

    [Fact]
    public void Unlink_NameRecreatedBySomeoneElse_SecondUnlinkLeavesTheNewObject()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var first = SharedMemoryRegion.Create(100, Named(name));
        Assert.True(first.Unlink());
        using var second = SharedMemoryRegion.Create(100, Named(name));
        Assert.False(first.Unlink());
        first.Dispose();
        Assert.True(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void Dispose_Attacher_LeavesTheNameToTheCreator()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var created = SharedMemoryRegion.Create(100, Named(name));
        SharedMemoryRegion.Attach(name).Dispose();
        Assert.True(SharedMemoryNames.Exists(name));
        created.Dispose();
        Assert.False(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void Dispose_CreatorWithoutUnlinkOnDispose_NameStaysUntilStaticUnlink()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        SharedMemoryRegion.Create(100, new SharedMemoryOptions { Backing = SharedMemoryBacking.Named, Name = name, UnlinkOnDispose = false }).Dispose();
        Assert.True(SharedMemoryNames.Exists(name));
        using (var later = SharedMemoryRegion.Attach(name))
        {
            Assert.Equal(100, later.Length);
        }

        Assert.True(SharedMemoryRegion.Unlink(name));
        Assert.False(SharedMemoryRegion.Unlink("/" + name));
        Assert.False(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void Unlink_RegionWithoutName_InvalidOperationException()
    {
        using var region = SharedMemoryRegion.Create(100, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
        Assert.Null(region.Name);
        Assert.Throws<InvalidOperationException>(() => region.Unlink());
    }

    [Fact]
    public void Attach_ObjectNeverSized_InvalidDataException()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        Posix.OpenSharedMemory("/" + name, SharedMemoryOpenOptions.Create | SharedMemoryOpenOptions.Exclusive).Dispose();
        try
        {
            Assert.Throws<InvalidDataException>(() => SharedMemoryRegion.Attach(name));
        }
        finally
        {
            Assert.True(SharedMemoryRegion.Unlink(name));
        }
    }

    [Fact]
    public void Attach_AsAnotherUser_Mode0600_ShmOpenEacces()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var region = SharedMemoryRegion.Create(100, Named(name));

        var values = RunAsNobody(nameof(NamedSharedMemoryScenarios.AttachAndReportFailure), name);

        Assert.Equal("65534", values["euid"]);
        Assert.Equal(nameof(PosixException), values["type"]);
        Assert.Equal("shm_open", values["call"]);
        Assert.Equal("EACCES", values["errno"]);
    }

    [Fact]
    public void Attach_AsAnotherUser_ObjectOpenedUpWithChmod0666_UnauthorizedAccessFromTheOwnerCheck()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var region = SharedMemoryRegion.Create(100, Named(name));
        const UnixFileMode Everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        Posix.ChangeMode(Path.Combine(SharedMemoryNames.Directory, name), Everyone);
        Assert.Equal(Everyone, Posix.GetFileStatus(region.Descriptor!).Mode);

        var values = RunAsNobody(nameof(NamedSharedMemoryScenarios.AttachAndReportFailure), name);

        Assert.Equal(nameof(UnauthorizedAccessException), values["type"]);
        Assert.Contains("belongs to user 0", values["message"], StringComparison.Ordinal);
        Assert.Contains("effective user 65534", values["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CreatorSigkilled_NameLeftBehindUntilSomeoneUnlinksIt()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        try
        {
            using (var creator = Creator.Start(name, "keep"))
            {
                creator.WaitForLine("ready");
                creator.Kill();
            }

            // Measured: SIGKILL runs no Dispose, and the kernel keeps a name until shm_unlink.
            Assert.True(SharedMemoryNames.Exists(name));
            using (var survivor = SharedMemoryRegion.Attach(name))
            {
                Assert.Equal(NamedSharedMemoryScenarios.CreatorValue, new SharedValue<long>(survivor).Value);
            }

            Assert.True(SharedMemoryRegion.Unlink(name));
        }
        finally
        {
            SharedMemoryNames.Remove(name);
        }
    }

    [Fact]
    public void Unlink_OnceThePeerAttached_CreatorSigkilledLeavesNothingAndPeerKeepsTheMemory()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        try
        {
            using var creator = Creator.Start(name, "unlink-early");
            creator.WaitForLine("ready");
            using var peer = SharedMemoryRegion.Attach(name);
            SharedEvent.Attach(peer, NamedSharedMemoryScenarios.AttachedEventOffset).Set();
            creator.WaitForLine("unlinked=True");
            creator.Kill();

            Assert.False(SharedMemoryNames.Exists(name));
            var value = new SharedValue<long>(peer);
            Assert.Equal(NamedSharedMemoryScenarios.CreatorValue, value.Value);
            value.Value = 8;
            Assert.Equal(8, value.Value);
        }
        finally
        {
            SharedMemoryNames.Remove(name);
        }
    }

    [Fact]
    public void Create_UnlinkWhenCreatorDies_CreatorSigkilledAndTheGuardUnlinksTheName()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        try
        {
            using (var creator = Creator.Start(name, "guard"))
            {
                creator.WaitForLine("ready");
                Assert.True(SharedMemoryNames.Exists(name));
                creator.Kill();
            }

            // The guard is not our child (the creator's, now init's): its unlink is awaited
            // by watching the name, with a generous bound.
            Assert.True(WaitUntil(() => !SharedMemoryNames.Exists(name)), "the guard did not unlink the name in 30 s");
        }
        finally
        {
            SharedMemoryNames.Remove(name);
        }
    }

    [Fact]
    public void Dispose_UnlinkWhenCreatorDies_GuardHoldsOnlyItsPipeInItsOwnSessionThenIsStoodDownAndReaped()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        var region = SharedMemoryRegion.Create(100, new SharedMemoryOptions { Backing = SharedMemoryBacking.Named, Name = name, UnlinkWhenCreatorDies = true });
        Pid guard = region.UnlinkGuardPid!.Value;
        try
        {
            Assert.True(WaitUntil(() => GuardSettled(guard)), $"guard {guard} still holds other descriptors or our session after 30 s: {string.Join(", ", Descriptors(guard))}");
            Assert.Equal(["pipe"], Descriptors(guard).Select(target => target.Split(':')[0]));
        }
        finally
        {
            region.Dispose();
        }

        Assert.Null(region.UnlinkGuardPid);
        Assert.False(Posix.ProcessExists(guard)); // reaped, not a zombie
        Assert.False(SharedMemoryNames.Exists(name));

        // Stood down before Dispose returned: a new object of that name is left alone.
        using var next = SharedMemoryRegion.Create(100, Named(name));
        Assert.True(SharedMemoryNames.Exists(name));
    }

    [Fact]
    public void Unlink_UnlinkWhenCreatorDies_GuardStoodDownAtOnce()
    {
        string name = SharedMemoryNames.Fresh(Prefix);
        using var region = SharedMemoryRegion.Create(100, new SharedMemoryOptions { Backing = SharedMemoryBacking.Named, Name = name, UnlinkWhenCreatorDies = true });
        Pid guard = region.UnlinkGuardPid!.Value;
        Assert.True(region.Unlink());
        Assert.Null(region.UnlinkGuardPid);
        Assert.False(Posix.ProcessExists(guard));
    }

    [Fact]
    public void Create_UnlinkWhenCreatorDiesWithoutUnlinkOnDispose_ArgumentException()
    {
        var options = new SharedMemoryOptions { Backing = SharedMemoryBacking.Named, Name = SharedMemoryNames.Fresh(Prefix), UnlinkOnDispose = false, UnlinkWhenCreatorDies = true };
        Assert.Throws<ArgumentException>(() => SharedMemoryRegion.Create(100, options));
    }

    private static bool WaitUntil(Func<bool> condition)
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>The guard has closed what it inherited and left our session.</summary>
    private static bool GuardSettled(Pid guard) =>
        Descriptors(guard).Length == 1 && Session(guard) != Session(Pid.Current);

    private static string[] Descriptors(Pid pid) =>
        [.. Directory.GetFiles($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "?")];

    /// <summary>Field 6 of /proc/PID/stat (the fourth after the command name).</summary>
    private static string Session(Pid pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3];
    }

    private static SharedMemoryOptions Named(string? name) => new() { Backing = SharedMemoryBacking.Named, Name = name };

    private static IReadOnlyDictionary<string, string> RunAsNobody(string scenario, params string[] args)
    {
        ScenarioResult result = ExternalProcess.Run(
            "setpriv",
            ["--reuid", "65534", "--regid", "65534", "--clear-groups", "dotnet", typeof(Helper).Assembly.Location, Scenarios.Verb, scenario, .. args],
            HelperTimeout,
            new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Values;
    }

    /// <summary>A <see cref="NamedSharedMemoryScenarios.CreateAndWait"/> helper, spawned with its output on a pipe, always reaped.</summary>
    private sealed class Creator : IDisposable
    {
        private readonly Pid _pid;
        private readonly PipeEnds _output;
        private readonly StringBuilder _seen = new();
        private bool _reaped;

        private Creator(Pid pid, PipeEnds output)
        {
            _pid = pid;
            _output = output;
        }

        public static Creator Start(string name, string mode)
        {
            PipeEnds output = Posix.Pipe();
            Pid pid = Posix.Spawn(new SpawnRequest(Dotnet(), ["dotnet", typeof(Helper).Assembly.Location, Scenarios.Verb, nameof(NamedSharedMemoryScenarios.CreateAndWait), name, mode])
            {
                Descriptors = [new DescriptorMapping(1, output.Write), new DescriptorMapping(2, output.Write)],
            });
            output.Write.Dispose();
            return new Creator(pid, output);
        }

        /// <summary>Reads the helper's output until a line equals <paramref name="line"/>; 60 s at most.</summary>
        public void WaitForLine(string line)
        {
            DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var buffer = new byte[4096];
            while (!_seen.ToString().Split('\n').Contains(line))
            {
                TimeSpan left = end - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"no line \"{line}\" from the creator in 60 s; it wrote:\n{_seen}");
                if (Posix.Poll(_output.Read, PollEvents.In, left) == PollEvents.None)
                {
                    continue;
                }

                int read = Posix.Read(_output.Read, buffer);
                Assert.True(read > 0, $"the creator ended before \"{line}\"; it wrote:\n{_seen}");
                _seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }

        public void Kill()
        {
            Posix.Kill(_pid, Signal.SIGKILL);
            WaitStatus status = Posix.WaitPid(_pid);
            _reaped = true;
            Assert.True(status is WaitStatus.Signaled { Signal: var signal } && signal == Signal.SIGKILL, $"{status}\n{_seen}");
        }

        public void Dispose()
        {
            if (!_reaped)
            {
                Posix.Kill(_pid, Signal.SIGKILL);
                Posix.WaitPid(_pid);
            }

            _output.Dispose();
        }

        private static string Dotnet() =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, "dotnet"))
                .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("dotnet is not on PATH");
    }
}
