namespace PosixProcs;

/// <summary>How to spawn a program. Every property has a safe default.</summary>
public sealed class SpawnOptions
{
    /// <summary>The child's stdin. Default <see cref="StdioRedirect.Inherit"/>.</summary>
    public StdioRedirect StandardInput { get; init; } = StdioRedirect.Inherit;

    /// <summary>The child's stdout. Default <see cref="StdioRedirect.Inherit"/>.</summary>
    public StdioRedirect StandardOutput { get; init; } = StdioRedirect.Inherit;

    /// <summary>The child's stderr. Default <see cref="StdioRedirect.Inherit"/>.</summary>
    public StdioRedirect StandardError { get; init; } = StdioRedirect.Inherit;

    /// <summary>
    /// Descriptors passed on purpose, at the numbers the child should see (3 and up).
    /// Nothing else is inherited. Default none.
    /// </summary>
    public IReadOnlyList<DescriptorMapping> ExtraDescriptors { get; init; } = [];

    /// <summary>Changes to this process's environment for the child: a <c>null</c> value removes a variable. Default none.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The child's working directory. Default this process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Start the child in a new process group. Default false.</summary>
    public bool NewProcessGroup { get; init; }

    /// <summary>
    /// Give the child a pseudo-terminal of this window size: it runs in a new session with the
    /// terminal as its controlling terminal (setsid and TIOCSCTTY, done in C before exec), and
    /// the standard streams set to <see cref="StdioRedirect.Terminal"/> are on it. The parent
    /// gets the master side as <see cref="ChildProcess.Terminal"/>. Default <c>null</c>: no terminal.
    /// Tested on Linux; the macOS path (same calls) is untested.
    /// </summary>
    public TerminalSize? Terminal { get; init; }

    /// <summary>Start the child in a new session (no controlling terminal). Default false.</summary>
    public bool NewSession { get; init; }

    /// <summary>
    /// A signal the child receives when the spawning THREAD exits (Linux). Spawn from a
    /// thread that lives as long as the child should: a thread-pool thread may retire. Default none.
    /// </summary>
    public Signal? ParentDeathSignal
    {
        get => _parentDeathSignal;
        init => _parentDeathSignal = value;
    }

    private Signal? _parentDeathSignal;

    /// <summary>Resource limits set in the child before exec. Default none.</summary>
    public IReadOnlyList<ResourceLimit> ResourceLimits { get; init; } = [];

    /// <summary>A copy of these options with <see cref="ParentDeathSignal"/> set: every other property, present or future, is copied as it is.</summary>
    internal SpawnOptions WithParentDeathSignal(Signal signal)
    {
        var copy = (SpawnOptions)MemberwiseClone();
        copy._parentDeathSignal = signal;
        return copy;
    }
}
