using System.Globalization;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary><see cref="StartMethod.Spawn"/>: each worker is a fresh worker host, started by the fork-safe spawn.</summary>
internal sealed class SpawnLauncher(ProcessPoolOptions options) : IWorkerLauncher
{
    private readonly string _host = WorkerHostLocation.HostPath;
    private SharedMemoryRegion? _region;

    public bool FunctionsComeFromFork => false;

    public bool NeedsDescriptorRegion => true;

    public void Start(SharedMemoryRegion region) => _region = region;

    public IWorkerProcess Launch(WorkerSlot slot)
    {
        SharedMemoryRegion region = _region!;
        string[] arguments =
        [
            _host, WorkerHost.WorkerMode,
            slot.Index.ToString(CultureInfo.InvariantCulture),
            region.Length.ToString(CultureInfo.InvariantCulture),
            options.RingCapacity.ToString(CultureInfo.InvariantCulture),
            Pid.Current.Value.ToString(CultureInfo.InvariantCulture),
        ];
        ChildProcess child = ChildProcess.Spawn(WorkerHostLocation.DotnetPath, arguments, new SpawnOptions
        {
            StandardInput = StdioRedirect.Null,
            ExtraDescriptors = [new DescriptorMapping(WorkerHost.RegionDescriptor, region.Descriptor!)],
            ParentDeathSignal = Signal.SIGKILL,
            ResourceLimits = options.WorkerResourceLimits,
        });
        return new ChildWorker(child);
    }

    public void Dispose()
    {
    }
}
