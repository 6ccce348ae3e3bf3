using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PosixProcs.Pool;
using PosixProcs.SharedMemory;

namespace PosixProcs.Stress;

/// <summary>
/// (e) A signal storm: a sender process hits this host with SIGCHLD, SIGUSR1 and SIGWINCH
/// thousands of times while it waits on rings, reads pipes and channels, spawns, forks, waits
/// for children and runs pool tasks. The host registers handlers (PosixSignalRegistration),
/// so the signals interrupt its system calls: every EINTR must be handled, nothing may fail.
/// </summary>
internal static class SignalStormCases
{
    private static long _received;

    public static int Run(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        var registrations = SignalStorm.Signals
            .Select(s => PosixSignalRegistration.Create((PosixSignal)s.Number, static c =>
            {
                Interlocked.Increment(ref _received);
                c.Cancel = true; // SIGUSR1's default would end the process: we only want the interruption
            }))
            .ToList();
        TimeSpan duration = TimeSpan.FromSeconds(context.Quick ? 3 : 10);
        var operations = new (string Name, Func<Peer, int> Body)[]
        {
            ("ringWait", RingWaits),
            ("pipeRead", PipeReads),
            ("channel", ChannelRoundTrips),
            ("eventWait", SharedEventWaits),
            ("spawnWait", _ => SpawnAndWait()),
            ("forkWait", _ => ForkAndWait()),
        };
        var runs = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var units = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long failures = 0, refusals = 0;
        string stormReport;
        using Peer peer = Peer.Start();
        using (HelperProcess storm = HelperProcess.Start(Program.StormVerb, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            WaitForSignals(TimeSpan.FromSeconds(30));
            Stopwatch clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                foreach ((string name, Func<Peer, int> body) in operations)
                {
                    try
                    {
                        units[name] = units.GetValueOrDefault(name) + body(peer);
                        runs[name] = runs.GetValueOrDefault(name) + 1;
                    }
                    catch (ForkHazardException ex)
                    {
                        // The handlers run managed code on pool threads: refusing to fork then is
                        // the guard doing its job (typed), not an interrupted call gone wrong.
                        refusals++;
                        recorder.Error(ex, name);
                    }
                    catch (Exception ex)
                    {
                        failures++;
                        recorder.Error(ex, name);
                    }
                }
            }

            // The pool under the storm, every start method (one round each: a start costs).
            foreach (StartMethod method in new[] { StartMethod.Fork, StartMethod.ForkServer, StartMethod.Spawn })
            {
                string name = "pool" + method;
                try
                {
                    using ProcessPool pool = Bounded.Run("ProcessPool.Start", TimeSpan.FromSeconds(60), () => ProcessPool.Start(new ProcessPoolOptions { StartMethod = method, WorkerCount = 2 }));
                    BatchResult batch = PoolBatch.Run(pool, context.Size(2000, 200), TimeSpan.FromSeconds(60), recorder);
                    batch.Record(recorder, name);
                    failures += batch.Submitted - batch.Correct;
                    Bounded.Run("ProcessPool.Dispose", TimeSpan.FromSeconds(30), pool.Dispose);
                    runs[name] = 1;
                    units[name] = batch.Correct;
                }
                catch (ForkHazardException ex)
                {
                    refusals++;
                    recorder.Error(ex, name);
                }
                catch (Exception ex)
                {
                    failures++;
                    recorder.Error(ex, name);
                }
            }

            stormReport = storm.Stop(TimeSpan.FromSeconds(10));
        }

        registrations.ForEach(r => r.Dispose());
        long sent = PoolKillCases.Counts(stormReport).GetValueOrDefault("sent");
        long received = Interlocked.Read(ref _received);
        recorder.Metric("signals.sent", sent);
        recorder.Metric("signals.handled", received);
        recorder.Metric("forkRefusals", refusals);
        foreach ((string name, long count) in runs)
        {
            recorder.Metric($"{name}.rounds", count);
            recorder.Metric($"{name}.units", units.GetValueOrDefault(name));
        }

        long minimum = context.Quick ? 300 : 3000;
        string[] waits = ["ringWait", "pipeRead", "channel", "eventWait", "spawnWait", "poolForkServer", "poolSpawn"];
        recorder.Check("a storm happened", sent >= minimum && received > 0, $"signals sent {sent}, handled {received}");
        recorder.Check("every wait ran under the storm", waits.All(w => runs.GetValueOrDefault(w) > 0), string.Join(", ", waits.Select(w => $"{w} {runs.GetValueOrDefault(w)}")));
        recorder.Check("nothing failed", failures == 0,
            $"failures {failures}, typed fork refusals {refusals}{(recorder.Errors.Count > 0 ? " (" + string.Join(", ", recorder.Errors.Select(kv => $"{kv.Key} ×{kv.Value}")) + ")" : string.Empty)}");
        return recorder.Finish();
    }

    /// <summary>The host's ends of what it shares with the <see cref="StormPeer"/>.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly ChildProcess _process;
        private readonly SharedMemoryRegion _region;

        private Peer(ChildProcess process, SharedMemoryRegion region, DuplexChannel channel, FileDescriptorHandle pipe)
        {
            _process = process;
            _region = region;
            Channel = channel;
            Pipe = pipe;
            Ring = RingBuffer.Attach(region);
            Event = SharedEvent.Attach(region, StormPeer.EventOffset);
        }

        public RingBuffer Ring { get; }

        public SharedEvent Event { get; }

        public DuplexChannel Channel { get; }

        public FileDescriptorHandle Pipe { get; }

        public static Peer Start()
        {
            var region = SharedMemoryRegion.Create(StormPeer.RegionLength, new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor });
            RingBuffer.Create(region, StormPeer.RingCapacity, RingBufferProducers.One);
            SharedEvent.Create(region, offset: StormPeer.EventOffset);
            PipeEnds sockets = Posix.SocketPair();
            PipeEnds pipe = Posix.Pipe();
            ChildProcess process;
            try
            {
                process = ChildProcess.Spawn(Environment.ProcessPath ?? "dotnet", [typeof(StormPeer).Assembly.Location, Program.PeerVerb, StormPeer.RegionLength.ToString(CultureInfo.InvariantCulture)], new SpawnOptions
                {
                    StandardInput = StdioRedirect.Null,
                    ExtraDescriptors =
                    [
                        new DescriptorMapping(StormPeer.RegionDescriptor, region.Descriptor!),
                        new DescriptorMapping(StormPeer.ChannelDescriptor, sockets.Write),
                        new DescriptorMapping(StormPeer.PipeDescriptor, pipe.Write),
                    ],
                    ParentDeathSignal = Signal.SIGKILL,
                });
            }
            finally
            {
                sockets.Write.Dispose();
                pipe.Write.Dispose();
            }

            return new Peer(process, region, DuplexChannel.Open(sockets.Read), pipe.Read);
        }

        public void Command(string text) => Channel.Send(Encoding.UTF8.GetBytes(text));

        public void Dispose()
        {
            try
            {
                Command("stop");
            }
            catch (PosixException)
            {
                // the peer is gone already
            }

            if (!_process.Wait(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
            }

            _process.Dispose();
            Channel.Dispose();
            Pipe.Dispose();
            _region.Dispose();
        }
    }

    private static void WaitForSignals(TimeSpan limit)
    {
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (Interlocked.Read(ref _received) < 10 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>The peer writes numbered records slowly; this process waits for each in Read (futex).</summary>
    private static int RingWaits(Peer peer)
    {
        const int records = 100;
        peer.Command($"ring {records}");
        int expected = 0;
        long deadline = Environment.TickCount64 + 30_000;
        while (expected < records)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"ring: {expected}/{records} records in 30 s");
            }

            peer.Ring.Read((type, payload) =>
            {
                int value = BinaryPrimitives.ReadInt32LittleEndian(payload);
                if (value != expected)
                {
                    throw new InvalidDataException($"ring: record {value} where {expected} was due");
                }

                expected++;
            }, TimeSpan.FromSeconds(5));
        }

        return records;
    }

    /// <summary>The peer trickles chunks into a pipe; this process reads them with blocking reads.</summary>
    private static int PipeReads(Peer peer)
    {
        const int chunks = 50;
        peer.Command($"pipe {chunks}");
        byte[] buffer = new byte[StormPeer.ChunkBytes * chunks];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = Posix.Read(peer.Pipe, buffer.AsSpan(total));
            if (read == 0)
            {
                throw new EndOfStreamException($"pipe: end of file after {total} bytes");
            }

            total += read;
        }

        for (int i = 0; i < chunks; i++)
        {
            if (buffer[i * StormPeer.ChunkBytes] != (byte)i)
            {
                throw new InvalidDataException($"pipe: chunk {i} holds {buffer[i * StormPeer.ChunkBytes]}");
            }
        }

        return chunks;
    }

    /// <summary>Messages echoed by the peer: send, then wait for each to come back (poll).</summary>
    private static int ChannelRoundTrips(Peer peer)
    {
        const int messages = 50;
        for (int i = 0; i < messages; i++)
        {
            byte[] message = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"echo{i}"));
            peer.Channel.Send(message);
            if (!peer.Channel.TryReceive(TimeSpan.FromSeconds(30), out byte[]? back) || !back.AsSpan().SequenceEqual(message))
            {
                throw new InvalidDataException($"channel: message {i} did not come back intact within 30 s");
            }
        }

        return messages;
    }

    /// <summary>The peer sets a shared event after 20 ms; this process waits on it (futex).</summary>
    private static int SharedEventWaits(Peer peer)
    {
        peer.Event.Reset();
        peer.Command("event");
        if (!peer.Event.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("shared event: not set within 30 s");
        }

        return 1;
    }

    private static int SpawnAndWait()
    {
        for (int i = 0; i < 5; i++)
        {
            using ChildProcess child = ChildProcess.Spawn("/bin/true", []);
            WaitSuccess(child, "/bin/true");
        }

        return 5;
    }

    private static int ForkAndWait()
    {
        for (int i = 0; i < 3; i++)
        {
            using ChildProcess child = ChildProcess.Fork(static () => Thread.Sleep(5));
            WaitSuccess(child, "forked child");
        }

        return 3;
    }

    /// <summary>A forked child sets a shared event after a moment; this process waits on it (a futex wait).</summary>
    private static int SharedEventWaits()
    {
        using SharedMemoryRegion region = SharedMemoryRegion.Create(4096);
        SharedEvent ready = SharedEvent.Create(region);
        using ChildProcess setter = ChildProcess.Fork(() =>
        {
            Thread.Sleep(20);
            ready.Set();
        });
        if (!ready.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("shared event: not set within 30 s");
        }

        WaitSuccess(setter, "event setter");
        return 1;
    }

    private static void WaitSuccess(ChildProcess child, string what)
    {
        if (!child.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"{what} did not end within 30 s");
        }

        if (!child.Status!.IsSuccess)
        {
            throw new InvalidOperationException($"{what} {child.Status}");
        }
    }
}
