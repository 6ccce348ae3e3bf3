using System.Globalization;
using System.Text.Json;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// The entry point of the worker host program (PosixProcs.Pool.Worker), which the pool
/// starts for <see cref="StartMethod.Spawn"/> (one per worker) and
/// <see cref="StartMethod.ForkServer"/> (one server that forks the workers). Not for direct use.
/// </summary>
public static class WorkerHost
{
    internal const string WorkerMode = "worker";
    internal const string ServerMode = "server";
    internal const int RegionDescriptor = 3;
    internal const int ControlDescriptor = 4;
    // How often the server looks for ended workers between requests: it bounds how late a
    // death is reported, and costs one poll and one WNOHANG per worker per tick.
    private static readonly TimeSpan ServerTick = TimeSpan.FromMilliseconds(2);

    /// <summary>Runs a worker (<c>worker SLOT LENGTH RING PARENT</c>) or a fork server (<c>server LENGTH RING PARENT</c>).</summary>
    /// <param name="args">The arguments the pool passes.</param>
    /// <returns>The exit code: 0 after a stop, 2 on bad usage.</returns>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 5 && args[0] == WorkerMode)
        {
            int slot = int.Parse(args[1], CultureInfo.InvariantCulture);
            SharedMemoryRegion region = Attach(args[2]);
            RunWorker(region, slot, int.Parse(args[3], CultureInfo.InvariantCulture), new Pid(int.Parse(args[4], CultureInfo.InvariantCulture)));
            return 0; // not reached: a worker leaves through _exit
        }

        if (args.Length == 4 && args[0] == ServerMode)
        {
            return RunServer(Attach(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), new Pid(int.Parse(args[3], CultureInfo.InvariantCulture)));
        }

        Console.Error.WriteLine("PosixProcs.Pool.Worker is started by ProcessPool (StartMethod.Spawn or ForkServer); it is not run by hand.");
        return 2;
    }

    private static SharedMemoryRegion Attach(string length) =>
        SharedMemoryRegion.Attach(new FileDescriptorHandle(RegionDescriptor, ownsHandle: true), long.Parse(length, CultureInfo.InvariantCulture));

    private static void RunWorker(SharedMemoryRegion region, int slot, int ringCapacity, Pid pool)
    {
        long ringBytes = RingBuffer.RequiredLength(ringCapacity);
        RingBuffer responses = RingBuffer.Attach(region, 0);
        RingBuffer requests = RingBuffer.Attach(region, ringBytes * (slot + 1));
        var functions = new WorkerFunctions();
        new WorkerLoop(slot, requests, responses, new TaskClaim(region, slot), functions.Get, functions.Define, pool).Run(initializer: null);
    }

    private static int RunServer(SharedMemoryRegion region, int ringCapacity, Pid pool)
    {
        WorkerWarmUp.Prepare();
        using DuplexChannel channel = DuplexChannel.Open(new FileDescriptorHandle(ControlDescriptor, ownsHandle: true));
        var workers = new Dictionary<int, ChildProcess>();
        Pid server = Pid.Current;
        while (true)
        {
            if (channel.TryReceive(ServerTick, out byte[]? bytes))
            {
                ForkServerMessage message = JsonSerializer.Deserialize(bytes, PoolJsonContext.Default.ForkServerMessage)!;
                switch (message.Op)
                {
                    case ForkServerMessage.ForkOp:
                        channel.Send(Fork(message, workers, region, ringCapacity, server), PoolJsonContext.Default.ForkServerMessage);
                        break;
                    case ForkServerMessage.KillOp when workers.TryGetValue(message.Pid, out ChildProcess? target):
                        target.Kill();
                        break;
                    case ForkServerMessage.StopOp:
                        StopAll(workers.Values);
                        return 0;
                }
            }

            foreach ((int pid, ChildProcess worker) in workers.ToList())
            {
                WaitStatus status = Reap(worker);
                if (status.HasEnded)
                {
                    workers.Remove(pid);
                    worker.Dispose();
                    channel.Send(new ForkServerMessage(ForkServerMessage.DiedOp, -1, pid, ForkServerMessage.Encode(status)), PoolJsonContext.Default.ForkServerMessage);
                }
            }

            if (Pid.Parent != pool)
            {
                StopAll(workers.Values);
                return 0;
            }
        }
    }

    /// <summary>
    /// Forks one worker. A fork that fails (a guard refusal, <c>fork: EAGAIN</c> under a process
    /// limit, EMFILE out of descriptors) must not end the server, which would take every other
    /// worker with it: the failure goes back to the pool, which retries with backoff.
    /// </summary>
    private static ForkServerMessage Fork(ForkServerMessage request, Dictionary<int, ChildProcess> workers, SharedMemoryRegion region, int ringCapacity, Pid server)
    {
        int slot = request.Slot;
        try
        {
            // A worker needs only the mapped rings: the pool's own sockets and pipes stay out of it.
            ChildProcess worker = ChildProcess.Fork(
                () => RunWorker(region, slot, ringCapacity, server),
                new ForkOptions { ParentDeathSignal = Signal.SIGKILL, CloseInheritedDescriptors = true });
            workers[worker.Pid.Value] = worker;
            return request with { Op = ForkServerMessage.ForkedOp, Pid = worker.Pid.Value };
        }
        catch (Exception ex)
        {
            // Not swallowed: reported to the pool, which fails or retries with this reason.
            return request with { Op = ForkServerMessage.ForkFailedOp, Error = ForkServerError.From(ex) };
        }
    }

    private static WaitStatus Reap(ChildProcess worker)
    {
        try
        {
            return worker.TryWait();
        }
        catch (ChildProcessException ex)
        {
            return ex.Status;
        }
    }

    private static void StopAll(IEnumerable<ChildProcess> workers)
    {
        foreach (ChildProcess worker in workers)
        {
            worker.Dispose(); // a worker still running is killed and reaped
        }
    }
}
