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
    /// A signal the child receives when the forking thread exits (Linux PR_SET_PDEATHSIG),
    /// so it does not outlive its parent. Default none.
    /// </summary>
    public Signal? ParentDeathSignal { get; init; }

    /// <summary>
    /// How long to wait for other threads of this process to stop running before the fork is
    /// refused (see <see cref="ForkSafety"/>). Default: <see cref="ForkSafety.DefaultWaitForQuietThreads"/>.
    /// </summary>
    public TimeSpan WaitForQuietThreads { get; init; } = ForkSafety.DefaultWaitForQuietThreads;

    /// <summary>Fork hazards to accept. Only for demonstrating a hazard in a sacrificial process. Default none.</summary>
    public ForkHazards AcceptedHazards { get; init; }
}
