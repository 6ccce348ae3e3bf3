using System.Buffers.Binary;
using PosixProcs.SharedMemory;

namespace PosixProcs.Benchmarks;

/// <summary>
/// 64-byte messages from two forked producer processes into one many-producer ring, read by
/// this process (issue 4's MPSC figure). Each round, a byte on a pipe tells each producer to
/// write its half; the consumer checks that every message arrives once and in its producer's
/// order. There is no C reference for a many-producer ring, so the figure stands alone.
/// </summary>
public sealed class RingMpscBenchmark : Benchmark
{
    private const int Message = 64;
    private const int Capacity = 256 * 1024;
    private const int Producers = 2;
    private readonly List<(ChildProcess Child, FileDescriptorHandle Go)> _producers = [];
    private SharedMemoryRegion? _region;
    private RingBuffer? _ring;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public RingMpscBenchmark(BenchmarkSettings settings)
        : base("ring.mpsc_64B_2_producers", "MPSC ring of 64-byte messages from 2 forked producers to this process", Unit.MessagesPerSecond,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(1_000_000, 200_000))
    {
    }

    /// <inheritdoc/>
    public override string Remarks => "Producers claim with a compare-and-swap on the tail; the consumer blocks in Read (spin, then futex).";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings) => [];

    /// <inheritdoc/>
    public override void Start()
    {
        _region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity), new SharedMemoryOptions { Populate = true });
        _ring = RingBuffer.Create(_region, Capacity, RingBufferProducers.Many);
        RingBuffer ring = _ring;
        long half = OperationsPerRepetition / Producers;
        for (int producer = 0; producer < Producers; producer++)
        {
            PipeEnds go = Posix.Pipe();
            int id = producer;
            FileDescriptorHandle goRead = go.Read;
            ChildProcess child = ChildProcess.Fork(_ => Produce(ring, id, half, goRead), new ForkOptions { ParentDeathSignal = Signal.SIGKILL });
            go.Read.Dispose();
            _producers.Add((child, go.Write));
        }
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        foreach ((ChildProcess _, FileDescriptorHandle go) in _producers)
        {
            Posix.WriteAll(go, [1]);
        }

        long[] next = new long[Producers];
        long received = 0;
        ulong checksum = 0;
        bool disorder = false;
        RingRecordHandler handler = (type, payload) =>
        {
            long seq = BinaryPrimitives.ReadInt64LittleEndian(payload);
            disorder |= seq != next[type - 1]++;
            checksum += (ulong)seq;
            received++;
        };
        while (received < OperationsPerRepetition)
        {
            if (_ring!.Read(handler, TimeSpan.FromMinutes(1), 256) == 0)
            {
                throw new BenchmarkCheckException($"{Name}: no message for a minute after {received}.");
            }
        }

        return disorder
            ? throw new BenchmarkCheckException($"{Name}: a producer's messages arrived out of order.")
            : new Work(received, checksum, received * Message);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach ((ChildProcess child, FileDescriptorHandle go) in _producers)
            {
                go.Dispose(); // the producer reads end of file and exits
                if (!child.Wait(TimeSpan.FromSeconds(10)))
                {
                    child.Kill();
                }

                child.Dispose();
            }

            _region?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static int Produce(RingBuffer ring, int id, long count, FileDescriptorHandle go)
    {
        byte[] message = new byte[Message];
        byte[] signal = new byte[1];
        while (Posix.Read(go, signal) == 1)
        {
            for (long seq = 0; seq < count; seq++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(message, seq);
                if (!ring.TryWrite(id + 1, message) && !ring.Write(id + 1, message, TimeSpan.FromMinutes(1)))
                {
                    return 1;
                }
            }
        }

        return 0;
    }
}
