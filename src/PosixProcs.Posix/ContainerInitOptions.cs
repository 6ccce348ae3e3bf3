namespace PosixProcs;

/// <summary>The options of posixprocs-init (see <see cref="ContainerInit"/>). Every one is off by default.</summary>
public sealed class ContainerInitOptions
{
    /// <summary>Become a child subreaper when not PID 1 (Linux, <c>-s</c>), so the program's orphans come to the init.</summary>
    public bool Subreaper { get; init; }

    /// <summary>Forward signals to the program's whole process group, not only to the program (<c>-g</c>).</summary>
    public bool ForwardToGroup { get; init; }

    /// <summary>A signal the init asks for when its own parent dies (Linux PR_SET_PDEATHSIG, <c>-p</c>); it is forwarded like any other.</summary>
    public Signal? ParentDeathSignal { get; init; }

    /// <summary>
    /// After the program exits: SIGTERM to what is left of its process group, then SIGKILL after
    /// this long (<c>-t</c>, whole milliseconds, rounded up). <c>null</c>: what is left is left alone.
    /// </summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>Say what happens on standard error (<c>-v</c>).</summary>
    public bool Verbose { get; init; }
}
