using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary><see cref="StartMethod.Fork"/>: workers are forked from this process, so they hold its closures.</summary>
internal sealed class ForkLauncher(ProcessPoolOptions options, DelegateTable functions, Func<RingBuffer> responses, Action? initializer) : IWorkerLauncher
{
    private static readonly TimeSpan ForkQuietWait = TimeSpan.FromSeconds(5);
    private readonly Pid _parent = Pid.Current;

    public bool FunctionsComeFromFork => true;

    public bool NeedsDescriptorRegion => false;

    public void Start(SharedMemoryRegion region) => WorkerWarmUp.Prepare();

    public IWorkerProcess Launch(WorkerSlot slot)
    {
        var loop = new WorkerLoop(slot.Index, slot.Requests, responses(), slot.Claim, functions.Get, define: null, _parent);
        IReadOnlyList<ResourceLimit> limits = options.WorkerResourceLimits;
        // The dispatcher forks while the pool's users may be busy: wait up to 5 s for other
        // threads to settle rather than refusing at once.
        // A worker needs only the mapped rings: the pool's own sockets and pipes stay out of it.
        var forkOptions = new ForkOptions { ParentDeathSignal = Signal.SIGKILL, WaitForQuietThreads = ForkQuietWait, CloseInheritedDescriptors = true };
        lock (functions.Gate)
        {
            slot.KnownDelegates = functions.Count;
            functions.HoldForFork();
            try
            {
                return new ChildWorker(ChildProcess.Fork(
                    () =>
                    {
                        foreach (ResourceLimit limit in limits)
                        {
                            Posix.SetResourceLimit(limit);
                        }

                        loop.Run(initializer);
                    },
                    forkOptions));
            }
            finally
            {
                functions.ReleaseAfterFork();
            }
        }
    }

    public void Dispose()
    {
    }
}
