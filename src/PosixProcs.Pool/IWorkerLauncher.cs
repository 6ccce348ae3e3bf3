using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>Starts workers for one start method.</summary>
internal interface IWorkerLauncher : IDisposable
{
    /// <summary>
    /// Whether workers know functions only from their fork (Fork): a worker that lacks one
    /// must be forked again. Otherwise functions are defined to a running worker by message.
    /// </summary>
    bool FunctionsComeFromFork { get; }

    /// <summary>Whether the shared region must be descriptor-backed, to be handed to a process that is not forked from this one.</summary>
    bool NeedsDescriptorRegion { get; }

    /// <summary>Prepares anything shared by the workers (the fork server). Called on the dispatcher thread.</summary>
    void Start(SharedMemoryRegion region);

    /// <summary>Starts the worker for <paramref name="slot"/>. Called on the dispatcher thread.</summary>
    IWorkerProcess Launch(WorkerSlot slot);
}
