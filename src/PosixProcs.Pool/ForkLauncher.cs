using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary><see cref="StartMethod.Fork"/>: workers are forked from this process, so they hold its closures.</summary>
internal sealed class ForkLauncher(ProcessPoolOptions options, DelegateTable functions, Func<RingBuffer> responses) : IWorkerLauncher
{
    private static readonly TimeSpan ForkRetryWindow = TimeSpan.FromSeconds(5);
    private readonly Pid _parent = Pid.Current;

    public bool FunctionsComeFromFork => true;

    public bool NeedsDescriptorRegion => false;

    public void Start(SharedMemoryRegion region) => WorkerWarmUp.Prepare();

    public IWorkerProcess Launch(WorkerSlot slot)
    {
        var loop = new WorkerLoop(slot.Index, slot.Requests, responses(), functions.Get, define: null, _parent);
        Action? initializer = options.Initializer;
        IReadOnlyList<ResourceLimit> limits = options.WorkerResourceLimits;
        var forkOptions = new ForkOptions { ParentDeathSignal = Signal.SIGKILL };
        long deadline = Environment.TickCount64 + (long)ForkRetryWindow.TotalMilliseconds;
        while (true)
        {
            try
            {
                lock (functions.Gate)
                {
                    slot.KnownDelegates = functions.Count;
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
            }
            catch (ForkHazardException ex) when (Environment.TickCount64 < deadline && ex.Hazards == ForkHazards.RunningThreads)
            {
                // Another thread of this process was busy: wait for it to settle and try again.
                Thread.Sleep(10);
            }
        }
    }

    public void Dispose()
    {
    }
}
