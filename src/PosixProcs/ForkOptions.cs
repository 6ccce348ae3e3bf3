namespace PosixProcs;

/// <summary>How to fork a child that runs a delegate.</summary>
public sealed class ForkOptions
{
    /// <summary>A pipe from the parent (<see cref="ChildProcess.StandardInput"/>) to the child (<see cref="ChildContext.Input"/>). Default false.</summary>
    public bool InputPipe { get; init; }

    /// <summary>A pipe from the child (<see cref="ChildContext.Output"/>) to the parent (<see cref="ChildProcess.StandardOutput"/>). Default false.</summary>
    public bool OutputPipe { get; init; }

    /// <summary>A duplex message channel (a socket pair) between parent and child. Default false.</summary>
    public bool Channel { get; init; }

    /// <summary>
    /// Close each side's unused pipe ends right after the fork (default true). With false,
    /// both processes keep both ends, and a reader never sees end-of-file because it still
    /// holds a write end itself: the classic bug, kept available for teaching it.
    /// </summary>
    public bool CloseUnusedPipeEnds { get; init; } = true;

    /// <summary>
    /// Close, in the child right after the fork and before any managed code runs there, every
    /// descriptor except 0-2, the fork's own pipes and channel, and
    /// <see cref="InheritedDescriptors"/> (default true). Without it the child holds everything
    /// this process has open: a listening socket stays bound while the child lives, and a pipe
    /// whose write end this process holds never shows end-of-file to its reader.
    /// </summary>
    /// <remarks>
    /// Managed objects the child copied from this process (streams, sockets,
    /// <see cref="FileDescriptorHandle"/>s) still carry the numbers of descriptors the child
    /// no longer has: the child must not use or dispose them, since a number may by then name
    /// a file the child opened itself. Memory mappings (shared memory regions, rings) do not
    /// need their descriptors and keep working. A signal for which this process registered a
    /// <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/> beyond the ones the
    /// fork resets (see <see cref="Posix.Fork"/>) would be forwarded by the runtime through a
    /// pipe the child has closed.
    /// </remarks>
    public bool CloseInheritedDescriptors { get; init; } = true;

    /// <summary>
    /// Descriptors the child keeps when <see cref="CloseInheritedDescriptors"/> is on (default
    /// none; 0-2 are always kept). At most 248.
    /// </summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public IReadOnlyList<FileDescriptorHandle> InheritedDescriptors
    {
        get => _inheritedDescriptors;
        init => _inheritedDescriptors = value ?? throw new ArgumentNullException(nameof(value));
    }

    private readonly IReadOnlyList<FileDescriptorHandle> _inheritedDescriptors = [];

    /// <summary>
    /// Start the child in a new process group that it leads (default false), as
    /// <see cref="SpawnOptions.NewProcessGroup"/>: <see cref="ChildProcess.SignalGroup"/> then
    /// reaches it and everything it starts, and disposing the child ends that group. Set up in C
    /// in the child before any managed code runs there, and by the parent too, so the child
    /// leads the group by the time <see cref="ChildProcess.Fork(Func{ChildContext, int}, ForkOptions?)"/> returns.
    /// </summary>
    public bool NewProcessGroup { get; init; }

    /// <summary>
    /// Start the child in a new session (setsid: a new group too, and no controlling terminal),
    /// as <see cref="SpawnOptions.NewSession"/>; wins over <see cref="NewProcessGroup"/>. Default false.
    /// </summary>
    public bool NewSession { get; init; }

    /// <summary>
    /// A signal the child receives when the forking thread exits (Linux PR_SET_PDEATHSIG),
    /// so it does not outlive its parent. Default none.
    /// </summary>
    public Signal? ParentDeathSignal
    {
        get => _parentDeathSignal;
        init => _parentDeathSignal = value;
    }

    private Signal? _parentDeathSignal;

    /// <summary>
    /// How long to wait for other threads of this process to stop running before the fork is
    /// refused (see <see cref="ForkSafety"/>). Default: <see cref="ForkSafety.DefaultWaitForQuietThreads"/>.
    /// </summary>
    public TimeSpan WaitForQuietThreads { get; init; } = ForkSafety.DefaultWaitForQuietThreads;

    /// <summary>Fork hazards to accept. Only for demonstrating a hazard in a sacrificial process. Default none.</summary>
    public ForkHazards AcceptedHazards { get; init; }

    /// <summary>A copy of these options with <see cref="ParentDeathSignal"/> set: every other property, present or future, is copied as it is.</summary>
    internal ForkOptions WithParentDeathSignal(Signal signal)
    {
        var copy = (ForkOptions)MemberwiseClone();
        copy._parentDeathSignal = signal;
        return copy;
    }
}
