using System.Globalization;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// <see cref="StartMethod.ForkServer"/>: one worker host in server mode, spawned once, forks
/// every worker on request. It is single-threaded and has the fork switches in its own
/// runtimeconfig, so forking there is safe whatever the pool's process is doing. Workers are
/// the server's children: it reaps them and reports their deaths; kills go through it too,
/// so no pid is ever signalled after it was reaped.
/// </summary>
internal sealed class ForkServerLauncher(ProcessPoolOptions options) : IWorkerLauncher
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private readonly Dictionary<int, WaitStatus> _deaths = [];
    private ChildProcess? _server;
    private DuplexChannel? _channel;

    public bool FunctionsComeFromFork => false;

    public bool NeedsDescriptorRegion => true;

    public void Start(SharedMemoryRegion region)
    {
        PipeEnds control = Posix.SocketPair();
        try
        {
            string[] arguments =
            [
                WorkerHostLocation.HostPath, WorkerHost.ServerMode,
                region.Length.ToString(CultureInfo.InvariantCulture),
                options.RingCapacity.ToString(CultureInfo.InvariantCulture),
                Pid.Current.Value.ToString(CultureInfo.InvariantCulture),
            ];
            _server = ChildProcess.Spawn(WorkerHostLocation.DotnetPath, arguments, new SpawnOptions
            {
                StandardInput = StdioRedirect.Null,
                ExtraDescriptors =
                [
                    new DescriptorMapping(WorkerHost.RegionDescriptor, region.Descriptor!),
                    new DescriptorMapping(WorkerHost.ControlDescriptor, control.Write),
                ],
                ParentDeathSignal = Signal.SIGKILL,
                ResourceLimits = options.WorkerResourceLimits,
            });
        }
        finally
        {
            control.Write.Dispose();
        }

        _channel = DuplexChannel.Open(control.Read);
    }

    public IWorkerProcess Launch(WorkerSlot slot)
    {
        Send(new ForkServerMessage(ForkServerMessage.ForkOp, slot.Index, 0, null));
        long deadline = Environment.TickCount64 + (long)ReplyTimeout.TotalMilliseconds;
        while (true)
        {
            ForkServerMessage? reply = Receive(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)));
            if (reply is null)
            {
                throw new TimeoutException($"The fork server did not fork a worker within {ReplyTimeout.TotalSeconds} s.");
            }

            if (reply.Op == ForkServerMessage.ForkedOp && reply.Slot == slot.Index)
            {
                return new ServerWorker(this, new Pid(reply.Pid));
            }
        }
    }

    /// <summary>Takes every message that has arrived; deaths are remembered for <see cref="ServerWorker.Poll"/>.</summary>
    internal void Pump(TimeSpan wait)
    {
        while (Receive(wait) is not null)
        {
            wait = TimeSpan.Zero;
        }
    }

    internal WaitStatus? DeathOf(Pid pid) => _deaths.TryGetValue(pid.Value, out WaitStatus? status) ? status : null;

    internal void Kill(Pid pid) => Send(new ForkServerMessage(ForkServerMessage.KillOp, -1, pid.Value, null));

    private void Send(ForkServerMessage message) => _channel!.Send(message, PoolJsonContext.Default.ForkServerMessage);

    private ForkServerMessage? Receive(TimeSpan timeout)
    {
        if (!_channel!.TryReceive(timeout, out byte[]? bytes))
        {
            return null;
        }

        ForkServerMessage message = System.Text.Json.JsonSerializer.Deserialize(bytes, PoolJsonContext.Default.ForkServerMessage)!;
        if (message.Op == ForkServerMessage.DiedOp)
        {
            _deaths[message.Pid] = ForkServerMessage.Decode(message.Status!);
        }

        return message;
    }

    public void Dispose()
    {
        if (_server is null)
        {
            return;
        }

        try
        {
            Send(new ForkServerMessage(ForkServerMessage.StopOp, -1, 0, null));
        }
        catch (PosixException)
        {
            // The server is already gone (EPIPE): nothing to tell it.
        }

        if (!_server.Wait(TimeSpan.FromSeconds(5)))
        {
            _server.Kill();
        }

        _server.Dispose();
        _channel?.Dispose();
    }
}

/// <summary>A worker forked by the fork server: its end is learned from the server's reports.</summary>
internal sealed class ServerWorker(ForkServerLauncher server, Pid pid) : IWorkerProcess
{
    public Pid Pid { get; } = pid;

    public Exception? SetupFault => null;

    public WaitStatus Poll()
    {
        server.Pump(TimeSpan.Zero);
        return server.DeathOf(Pid) ?? WaitStatus.StillRunning.Instance;
    }

    public void Kill()
    {
        if (server.DeathOf(Pid) is null)
        {
            server.Kill(Pid);
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (server.DeathOf(Pid) is null)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            server.Pump(TimeSpan.FromMilliseconds(Math.Min(left, 100)));
        }

        return true;
    }

    public void Dispose()
    {
        if (server.DeathOf(Pid) is null)
        {
            Kill();
            WaitForExit(TimeSpan.FromSeconds(5));
        }
    }
}
