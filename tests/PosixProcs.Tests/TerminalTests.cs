using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>Spawn with a pseudo-terminal: programs see a real tty, sized, resizable.</summary>
public class TerminalTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Spawn_OnTerminal_TtyPrintsItsPtsPath()
    {
        (string output, WaitStatus status, string name) = await RunOnTerminalAsync("tty", [], TerminalSize.Default);
        Assert.True(status.IsSuccess, output);
        Assert.StartsWith("/dev/pts/", name, StringComparison.Ordinal);
        Assert.Equal(name, output.Trim());
    }

    [Fact]
    public async Task Spawn_OnTerminal_LsColorAutoEmitsColourCodes()
    {
        (string onTerminal, _, _) = await RunOnTerminalAsync("ls", ["--color=auto", "/"], TerminalSize.Default);
        Assert.Contains("\u001b[", onTerminal, StringComparison.Ordinal);

        // The same program on a pipe: no colour.
        RunResult onPipe = await ChildProcess.RunAsync("ls", ["--color=auto", "/"]).WaitAsync(Limit);
        Assert.DoesNotContain("\u001b[", onPipe.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spawn_OnTerminal_SttySizeReportsTheSizeSet()
    {
        (string output, WaitStatus status, _) = await RunOnTerminalAsync("stty", ["size"], new TerminalSize(100, 30));
        Assert.True(status.IsSuccess, output);
        Assert.Equal("30 100", output.Trim());
    }

    [Fact]
    public async Task Resize_WhileProgramRuns_ProgramSeesTheNewSize()
    {
        using ChildProcess child = ChildProcess.Spawn("sh", ["-c", "read line; stty size"], OnTerminal(TerminalSize.Default));
        PseudoTerminal terminal = child.Terminal!;
        terminal.Resize(132, 43);
        Assert.Equal(new TerminalSize(132, 43), terminal.Size);

        // The program reads its line only after the resize: it cannot see the old size.
        await terminal.Stream.WriteAsync("go\n"u8.ToArray());
        string output = await ReadToEndAsync(terminal);
        Assert.True((await child.WaitAsync().WaitAsync(Limit)).IsSuccess, output);
        Assert.Contains("43 132", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spawn_OnTerminal_TerminalIsTheControllingTerminal()
    {
        // /dev/tty opens only for a process that has a controlling terminal.
        (string output, WaitStatus status, _) = await RunOnTerminalAsync("sh", ["-c", "echo via-dev-tty > /dev/tty"], TerminalSize.Default);
        Assert.True(status.IsSuccess, output);
        Assert.Contains("via-dev-tty", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spawn_OnlyStdoutOnTerminal_StdinStaysAPipe()
    {
        using ChildProcess child = ChildProcess.Spawn("sh", ["-c", "test -t 0 || echo stdin-not-a-tty; test -t 1 && echo stdout-a-tty"], new SpawnOptions
        {
            Terminal = TerminalSize.Default,
            StandardInput = StdioRedirect.Null,
            StandardOutput = StdioRedirect.Terminal,
            StandardError = StdioRedirect.Terminal,
        });
        string output = await ReadToEndAsync(child.Terminal!);
        Assert.True((await child.WaitAsync().WaitAsync(Limit)).IsSuccess, output);
        Assert.Contains("stdin-not-a-tty", output, StringComparison.Ordinal);
        Assert.Contains("stdout-a-tty", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Spawn_TerminalRedirectWithoutTerminal_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => ChildProcess.Spawn("true", [], new SpawnOptions { StandardOutput = StdioRedirect.Terminal }));
    }

    [Fact]
    public void Resize_BadSize_ThrowsBeforeAnyCall()
    {
        using ChildProcess child = ChildProcess.Spawn("true", [], OnTerminal(TerminalSize.Default));
        Assert.Throws<ArgumentOutOfRangeException>(() => child.Terminal!.Resize(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => child.Terminal!.Resize(10, 70_000));
        child.Wait();
    }

    internal static SpawnOptions OnTerminal(TerminalSize size) => new()
    {
        Terminal = size,
        StandardInput = StdioRedirect.Terminal,
        StandardOutput = StdioRedirect.Terminal,
        StandardError = StdioRedirect.Terminal,
    };

    internal static async Task<string> ReadToEndAsync(PseudoTerminal terminal)
    {
        using var reader = new StreamReader(terminal.Stream, leaveOpen: true);
        return await reader.ReadToEndAsync().WaitAsync(Limit);
    }

    private static async Task<(string Output, WaitStatus Status, string Name)> RunOnTerminalAsync(string program, string[] arguments, TerminalSize size)
    {
        using ChildProcess child = ChildProcess.Spawn(program, arguments, OnTerminal(size));
        string output = await ReadToEndAsync(child.Terminal!);
        return (output, await child.WaitAsync().WaitAsync(Limit), child.Terminal!.Name);
    }
}

/// <summary>Terminal spawns that count descriptors: alone, after the parallel tests.</summary>
[Collection(SerialChildProcesses.Name)]
public class TerminalLeakTests
{
    [Fact]
    public async Task Spawn_TwentyTerminals_NoDescriptorGrowthNoZombies()
    {
        int before = ProcessInspector.SettledDescriptorCount();
        for (int i = 0; i < 20; i++)
        {
            using ChildProcess child = ChildProcess.Spawn("tty", [], TerminalTests.OnTerminal(TerminalSize.Default));
            await TerminalTests.ReadToEndAsync(child.Terminal!);
            Assert.True((await child.WaitAsync()).IsSuccess);
        }

        Assert.Empty(ProcessInspector.Zombies(Environment.ProcessId));
        Assert.Equal(before, ProcessInspector.SettledDescriptorCount());
    }
}
