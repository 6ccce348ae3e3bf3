using Microsoft.Win32.SafeHandles;

namespace PosixProcs;

public sealed partial class ChildProcess
{
    /// <summary>
    /// Starts a program, fork+exec done in C: no managed code runs in the child, so this is
    /// safe from any process, however many threads it has. argv is passed exactly as given,
    /// never through a shell. An exec failure (ENOENT, EACCES, ENOEXEC) is thrown here as a
    /// <see cref="SpawnException"/> with its errno, not reported as exit code 127.
    /// </summary>
    /// <param name="program">A path, or a bare name looked up in PATH.</param>
    /// <param name="arguments">The arguments after argv[0] (which is <paramref name="program"/>).</param>
    /// <param name="options">Standard streams, descriptors, environment, process group, limits.</param>
    /// <returns>The child; its pipes are on <see cref="StandardInput"/>, <see cref="StandardOutput"/>, <see cref="StandardError"/>.</returns>
    /// <exception cref="SpawnException">The program could not be started.</exception>
    public static ChildProcess Spawn(string program, IEnumerable<string> arguments, SpawnOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= new SpawnOptions();
        foreach (DescriptorMapping extra in options.ExtraDescriptors)
        {
            if (extra.ChildFd < 3)
            {
                throw new ArgumentException($"Descriptor {extra.ChildFd} is a standard stream: set it through StandardInput/Output/Error.", nameof(options));
            }
        }

        bool onTerminal = options.StandardInput is StdioRedirect.TerminalRedirect || options.StandardOutput is StdioRedirect.TerminalRedirect
            || options.StandardError is StdioRedirect.TerminalRedirect;
        if (onTerminal && options.Terminal is null)
        {
            throw new ArgumentException("StdioRedirect.Terminal needs SpawnOptions.Terminal (the terminal's size).", nameof(options));
        }

        string path = ProgramPath.Resolve(program);
        var owned = new List<IDisposable>();
        try
        {
            PseudoTerminalEnds? terminal = null;
            if (options.Terminal is { } size)
            {
                terminal = Posix.OpenPseudoTerminal(size);
                owned.Add(terminal.Master);
                owned.Add(terminal.Slave);
            }

            (FileDescriptorHandle? stdin, FileDescriptorHandle? parentStdin) = Prepare(options.StandardInput, 0, FileAccess.Read, terminal, owned);
            (FileDescriptorHandle? stdout, FileDescriptorHandle? parentStdout) = Prepare(options.StandardOutput, 1, FileAccess.Write, terminal, owned);
            (FileDescriptorHandle? stderr, FileDescriptorHandle? parentStderr) = Prepare(options.StandardError, 2, FileAccess.Write, terminal, owned);

            var request = new SpawnRequest(path, [program, .. arguments])
            {
                Environment = MergeEnvironment(options.Environment),
                WorkingDirectory = options.WorkingDirectory,
                Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, stdout), new DescriptorMapping(2, stderr), .. options.ExtraDescriptors],
                NewProcessGroup = options.NewProcessGroup,
                NewSession = options.NewSession || terminal is not null,
                ControllingTerminal = terminal?.Slave,
                ParentDeathSignal = options.ParentDeathSignal,
                ResourceLimits = options.ResourceLimits,
            };
            Pid pid = Posix.Spawn(request);
            ChildProcess child = Spawned(pid, parentStdin, parentStdout, parentStderr,
                leadsProcessGroup: options.NewProcessGroup || options.NewSession,
                terminal: terminal is null ? null : new PseudoTerminal(terminal.Master, terminal.SlaveName, options.Terminal!.Value));
            owned.RemoveAll(o => o == parentStdin || o == parentStdout || o == parentStderr || o == terminal?.Master);
            return child;
        }
        finally
        {
            // The child's ends (and /dev/null, the terminal's slave side) are the child's now; the
            // parent must not keep a write end open, or its reader would never see end-of-file.
            owned.ForEach(o => o.Dispose());
        }
    }

    /// <summary>The handle of a child spawned here, with streams on the parent's ends of its pipes and its terminal (each may be null).</summary>
    internal static ChildProcess Spawned(Pid pid, FileDescriptorHandle? parentStdin, FileDescriptorHandle? parentStdout, FileDescriptorHandle? parentStderr, bool leadsProcessGroup = false, PseudoTerminal? terminal = null) =>
        new(pid, faultReader: null, leadsProcessGroup)
        {
            StandardInput = parentStdin is null ? null : new FileDescriptorStream(parentStdin, FileAccess.Write),
            StandardOutput = parentStdout is null ? null : new FileDescriptorStream(parentStdout, FileAccess.Read),
            StandardError = parentStderr is null ? null : new FileDescriptorStream(parentStderr, FileAccess.Read),
            Terminal = terminal,
        };

    /// <summary>Returns (what the child gets at <paramref name="childFd"/>, the parent's end if a pipe).</summary>
    internal static (FileDescriptorHandle? Child, FileDescriptorHandle? Parent) Prepare(StdioRedirect target, int childFd, FileAccess childAccess, PseudoTerminalEnds? terminal, List<IDisposable> owned)
    {
        switch (target)
        {
            case StdioRedirect.TerminalRedirect:
                return (terminal!.Slave, null);
            case StdioRedirect.InheritRedirect:
                return (new FileDescriptorHandle(childFd, ownsHandle: false), null);
            case StdioRedirect.NullRedirect:
                SafeFileHandle devNull = File.OpenHandle("/dev/null", FileMode.Open, childAccess == FileAccess.Read ? FileAccess.Read : FileAccess.Write);
                owned.Add(devNull);
                return (new FileDescriptorHandle((int)devNull.DangerousGetHandle(), ownsHandle: false), null);
            case StdioRedirect.PipeRedirect:
                PipeEnds pipe = Posix.Pipe();
                owned.Add(pipe.Read);
                owned.Add(pipe.Write);
                return childAccess == FileAccess.Read ? (pipe.Read, pipe.Write) : (pipe.Write, pipe.Read);
            case StdioRedirect.DescriptorRedirect descriptor:
                return (descriptor.Handle, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown standard stream target.");
        }
    }

    internal static List<string> MergeEnvironment(IReadOnlyDictionary<string, string?> changes)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        foreach ((string name, string? value) in changes)
        {
            if (string.IsNullOrEmpty(name) || name.Contains('=', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name.", nameof(changes));
            }

            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        return environment.Select(pair => $"{pair.Key}={pair.Value}").ToList();
    }
}
