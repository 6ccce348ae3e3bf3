namespace PosixProcs;

/// <summary>One entry of a spawned child's descriptor table.</summary>
/// <param name="ChildFd">The number the child sees (0 stdin, 1 stdout, 2 stderr, or any other).</param>
/// <param name="Source">What it refers to, in this process; <c>null</c> leaves the number closed in the child.</param>
public sealed record DescriptorMapping(int ChildFd, FileDescriptorHandle? Source);

/// <summary>Everything the native spawn path needs; see <see cref="Posix.Spawn"/>.</summary>
public sealed class SpawnRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="path">The program's path (no PATH search at this layer).</param>
    /// <param name="arguments">argv, including argv[0], passed exactly as given (no shell).</param>
    public SpawnRequest(string path, IReadOnlyList<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("argv needs at least argv[0], the program's name.", nameof(arguments));
        }

        foreach (string argument in arguments)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(arguments));
            if (argument.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("An argument contains a NUL character.", nameof(arguments));
            }
        }

        Path = path;
        Arguments = arguments;
    }

    /// <summary>The program's path.</summary>
    public string Path { get; }

    /// <summary>argv, including argv[0].</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The environment as <c>NAME=value</c> strings; <c>null</c> for this process's.</summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>The child's working directory; <c>null</c> for this process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The child's descriptors. Every descriptor not named here is closed at exec.</summary>
    public IReadOnlyList<DescriptorMapping> Descriptors { get; init; } = [];

    /// <summary>Put the child in a new process group (setpgid), so a group signal reaches it and its children.</summary>
    public bool NewProcessGroup { get; init; }

    /// <summary>Put the child in a new session (setsid): no controlling terminal.</summary>
    public bool NewSession { get; init; }

    /// <summary>
    /// A terminal (the slave side of a <see cref="Posix.OpenPseudoTerminal"/> pair) that becomes
    /// the child's controlling terminal (ioctl TIOCSCTTY after setsid): needs
    /// <see cref="NewSession"/>. It is not installed on any descriptor by this alone: map it
    /// to 0-2 in <see cref="Descriptors"/> as wanted. <c>null</c>: none.
    /// </summary>
    public FileDescriptorHandle? ControllingTerminal { get; init; }

    /// <summary>
    /// A signal the child receives when the spawning THREAD exits (Linux PR_SET_PDEATHSIG).
    /// Spawn from a thread that lives as long as the child should.
    /// </summary>
    public Signal? ParentDeathSignal { get; init; }

    /// <summary>Resource limits set in the child before exec.</summary>
    public IReadOnlyList<ResourceLimit> ResourceLimits { get; init; } = [];
}
