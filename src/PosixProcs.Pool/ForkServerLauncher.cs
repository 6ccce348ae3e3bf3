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
/// <remarks>
/// The server can fail without the pool failing. A fork it cannot make (guard refusal,
/// EAGAIN, EMFILE) comes back as that error and the server keeps serving. A server that dies
/// (SIGKILL from the OOM killer) or stops answering is noticed on the socket: its workers,
/// which die with it (PR_SET_PDEATHSIG), are reported ended with a <see cref="ForkServerException"/>,
/// and the next <see cref="Launch"/> starts a new server (the dispatcher bounds how often).
/// </remarks>
internal sealed class ForkServerLauncher(ProcessPoolOptions options) : IWorkerLauncher
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    // The server forks, so it runs with the fork switches whatever the application's
    // environment says: these variables override its runtimeconfig, and an application run
    // with, say, DOTNET_TieredCompilation=1 would otherwise get a server that refuses every
    // fork. Both spellings, since the runtime reads COMPlus_ too.
    private static readonly Dictionary<string, string?> ServerEnvironment = new(StringComparer.Ordinal)
    {
        ["DOTNET_TieredCompilation"] = "0",
        ["COMPlus_TieredCompilation"] = "0",
        ["DOTNET_gcConcurrent"] = "0",
        ["COMPlus_gcConcurrent"] = "0",
        ["DOTNET_gcServer"] = "0",
        ["COMPlus_gcServer"] = "0",
        ["DOTNET_EnableWriteXorExecute"] = "0",
        ["COMPlus_EnableWriteXorExecute"] = "0",
    };
    private static readonly TimeSpan ServerExitWait = TimeSpan.FromSeconds(5);

    // Workers the server has not reported dead, by pid. A pid leaves at its death report, which
    // the server sends before it can fork again with the same pid: a reused pid is never
    // mistaken for a dead worker, and nothing accumulates.
    private readonly Dictionary<int, ServerWorker> _live = [];
    private SharedMemoryRegion? _region;
    private ChildProcess? _server;
    private DuplexChannel? _channel;
    private ForkServerException? _lost;

    public bool FunctionsComeFromFork => false;

    public bool NeedsDescriptorRegion => true;

    public void Start(SharedMemoryRegion region)
    {
        _region = region;
        StartServer();
    }

    private void StartServer()
    {
        SharedMemoryRegion region = _region!;
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
                Environment = ServerEnvironment,
            });
        }
        catch
        {
            control.Read.Dispose();
            throw;
        }
        finally
        {
            control.Write.Dispose();
        }

        _channel = DuplexChannel.Open(control.Read);
        _lost = null;
    }

    /// <exception cref="ForkServerException">The server died or stopped answering (a new one is started on the next call).</exception>
    /// <exception cref="PosixException">The server could not fork (EAGAIN, EMFILE...) or a new server could not be spawned.</exception>
    /// <exception cref="ForkHazardException">The server's fork guard refused.</exception>
    public IWorkerProcess Launch(WorkerSlot slot)
    {
        if (_lost is not null)
        {
            StopServer();
            StartServer();
        }

        Send(new ForkServerMessage(ForkServerMessage.ForkOp, slot.Index, 0, null));
        long deadline = Environment.TickCount64 + (long)ReplyTimeout.TotalMilliseconds;
        while (_lost is null)
        {
            ForkServerMessage? reply = Receive(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)));
            if (reply is null)
            {
                if (_lost is null && Environment.TickCount64 >= deadline)
                {
                    ServerLost($"did not answer a fork request within {ReplyTimeout.TotalSeconds} s and was killed");
                }

                continue;
            }

            if (reply.Op == ForkServerMessage.ForkedOp && reply.Slot == slot.Index)
            {
                var worker = new ServerWorker(this, new Pid(reply.Pid));
                _live[reply.Pid] = worker;
                return worker;
            }

            if (reply.Op == ForkServerMessage.ForkFailedOp && reply.Slot == slot.Index)
            {
                throw reply.Error?.ToException() ?? new ForkServerException("The fork server could not fork a worker and gave no reason.");
            }
        }

        // A server that ended with hostfxr's 137 could not start its runtime; under a process
        // limit that is a thread it could not create, which a probe here can confirm.
        if (_lost.Status is WaitStatus.Exited { Code: HostRuntimeStartFailed } && ThreadLimitProbe.CannotStartARuntime() is { } limit)
        {
            throw new ForkServerException(
                $"The pool's fork server (a .NET process) could not start its runtime (exit code {HostRuntimeStartFailed}): this user cannot create the threads a runtime needs ({limit.Message}; RLIMIT_NPROC counts threads). Raise `ulimit -u`, or use StartMethod.Fork.",
                limit);
        }

        throw _lost;
    }

    /// <summary>The exit code of the dotnet host when the runtime could not be initialised (0x80008089 &amp; 0xFF).</summary>
    private const int HostRuntimeStartFailed = 137;

    /// <summary>Takes every message that has arrived; deaths are passed on to their <see cref="ServerWorker"/>.</summary>
    internal void Pump(TimeSpan wait)
    {
        while (_lost is null && Receive(wait) is not null)
        {
            wait = TimeSpan.Zero;
        }
    }

    internal void Kill(Pid pid) => Send(new ForkServerMessage(ForkServerMessage.KillOp, -1, pid.Value, null));

    internal void Forget(ServerWorker worker)
    {
        if (_live.TryGetValue(worker.Pid.Value, out ServerWorker? known) && known == worker)
        {
            _live.Remove(worker.Pid.Value);
        }
    }

    private void Send(ForkServerMessage message)
    {
        if (_lost is not null)
        {
            return;
        }

        try
        {
            _channel!.Send(message, PoolJsonContext.Default.ForkServerMessage);
        }
        catch (IOException ex)
        {
            ServerLost($"closed its socket ({ex.Message})");
        }
        catch (PosixException ex)
        {
            ServerLost($"closed its socket ({ex.Message})");
        }
    }

    private ForkServerMessage? Receive(TimeSpan timeout)
    {
        byte[]? bytes;
        try
        {
            if (!_channel!.TryReceive(timeout, out bytes))
            {
                return null;
            }
        }
        catch (IOException ex)
        {
            ServerLost($"closed its socket ({ex.Message})");
            return null;
        }
        catch (PosixException ex)
        {
            ServerLost($"closed its socket ({ex.Message})");
            return null;
        }

        ForkServerMessage message = System.Text.Json.JsonSerializer.Deserialize(bytes, PoolJsonContext.Default.ForkServerMessage)!;
        if (message.Op == ForkServerMessage.DiedOp && _live.Remove(message.Pid, out ServerWorker? worker))
        {
            worker.Ended(ForkServerMessage.Decode(message.Status!), endedBy: null);
        }

        return message;
    }

    /// <summary>
    /// The server is gone or cannot be trusted: reap it (killing it if it still runs), and
    /// report every worker it had as ended, since PR_SET_PDEATHSIG kills them with it.
    /// </summary>
    private void ServerLost(string what)
    {
        ChildProcess server = _server!;
        WaitStatus? status = ReapServer(server);
        string how = status is null || status is WaitStatus.StillRunning ? what : $"{what}; it ended: {status}";
        _lost = new ForkServerException($"The pool's fork server (pid {server.Pid}) {how}. The workers it forked died with it; the pool starts a new server.", status);
        foreach (ServerWorker worker in _live.Values)
        {
            worker.Ended(new WaitStatus.Signaled(Signal.SIGKILL, false), _lost);
        }

        _live.Clear();
    }

    private static WaitStatus? ReapServer(ChildProcess server)
    {
        try
        {
            if (!server.Wait(ServerExitWait))
            {
                server.Kill();
                server.Wait(ServerExitWait);
            }
        }
        catch (ChildProcessException ex)
        {
            return ex.Status;
        }

        return server.Status;
    }

    private void StopServer()
    {
        if (_server is not { } server)
        {
            return;
        }

        Send(new ForkServerMessage(ForkServerMessage.StopOp, -1, 0, null));
        ReapServer(server);
        server.Dispose();
        _channel?.Dispose();
        _server = null;
        _channel = null;
    }

    public void Dispose() => StopServer();
}

/// <summary>A worker forked by the fork server: its end is learned from the server's reports.</summary>
internal sealed class ServerWorker(ForkServerLauncher server, Pid pid) : IWorkerProcess
{
    private WaitStatus? _status;

    public Pid Pid { get; } = pid;

    /// <summary>Not known for the server's workers: the server reports only how they ended.</summary>
    public Exception? SetupFault => null;

    /// <summary>The <see cref="ForkServerException"/> when it died with its server.</summary>
    public Exception? EndedBy { get; private set; }

    internal void Ended(WaitStatus status, Exception? endedBy)
    {
        _status = status;
        EndedBy = endedBy;
    }

    public WaitStatus Poll()
    {
        if (_status is null)
        {
            server.Pump(TimeSpan.Zero);
        }

        return _status ?? WaitStatus.StillRunning.Instance;
    }

    public void Kill()
    {
        if (_status is null)
        {
            server.Kill(Pid);
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (_status is null)
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
        if (_status is null)
        {
            Kill();
            WaitForExit(TimeSpan.FromSeconds(5));
        }

        server.Forget(this);
    }
}
