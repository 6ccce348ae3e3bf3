using System.Buffers.Binary;
using PosixProcs.SharedMemory;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Ping-pong latency through two PosixProcs rings (one each way) between this process and a
/// forked child that answers each 8-byte message with the number plus one: spinning on
/// TryRead, or blocking in Read (spin briefly, then futex sleep). Against the C ping-pong over
/// one shared word in the same two modes. Target (issue 4): futex ping-pong at most 1.2x C.
/// </summary>
public sealed class RingPingPongBenchmark : Benchmark
{
    private const int Capacity = 64 * 1024;
    private readonly bool _spin;
    private readonly byte[] _message = new byte[8];
    private SharedMemoryRegion? _region;
    private RingBuffer? _ping;
    private RingBuffer? _pong;
    private ChildProcess? _child;
    private long _answer;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="spin">Busy-wait (true) or the ring's blocking reads (false).</param>
    public RingPingPongBenchmark(BenchmarkSettings settings, bool spin)
        : base(
            spin ? "ring.pingpong_spin" : "ring.pingpong_futex",
            spin ? "ring ping-pong latency, spinning" : "ring ping-pong latency, spin then futex sleep",
            Unit.Microseconds,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(20_000, 5_000))
    {
        _spin = spin;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "A ring round trip is two records (claim, write, publish, read, free) against C's two stores to one shared word; " +
        "on a loaded 2-core machine a spinning side that loses its CPU stalls its partner for a time slice.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string mode = _spin ? "spin" : "futex";
        return [new(References.C(settings, "futex_pingpong", "c." + mode + "_pingpong", Unit.Microseconds, OperationsPerRepetition, "--mode", mode), _spin ? null : Target.AtMost(1.2, "project goal"))];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        long ringBytes = RingBuffer.RequiredLength(Capacity);
        _region = SharedMemoryRegion.Create(2 * ringBytes, new SharedMemoryOptions { Populate = true });
        _ping = RingBuffer.Create(_region, Capacity, RingBufferProducers.One, 0);
        _pong = RingBuffer.Create(_region, Capacity, RingBufferProducers.One, ringBytes);
        RingBuffer ping = _ping, pong = _pong;
        bool spin = _spin;
        _child = ChildProcess.Fork(_ => Answer(ping, pong, spin), new ForkOptions { ParentDeathSignal = Signal.SIGKILL });
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        RecordHandler handler = new();
        ulong checksum = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            long sent = ++_answer;
            BinaryPrimitives.WriteInt64LittleEndian(_message, sent);
            Send(_ping!, _message, _spin);
            handler.Value = long.MinValue;
            Receive(_pong!, handler, _spin);
            if (handler.Value != sent + 1)
            {
                throw new BenchmarkCheckException($"{Name}: the answer to {sent} was {handler.Value}.");
            }

            checksum += (ulong)handler.Value;
        }

        return new Work(OperationsPerRepetition, checksum);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _child?.Dispose(); // the answering child loops for ever: killed and reaped
            _region?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static int Answer(RingBuffer ping, RingBuffer pong, bool spin)
    {
        var handler = new RecordHandler();
        byte[] reply = new byte[8];
        while (true)
        {
            Receive(ping, handler, spin);
            BinaryPrimitives.WriteInt64LittleEndian(reply, handler.Value + 1);
            Send(pong, reply, spin);
        }
    }

    private static void Send(RingBuffer ring, byte[] message, bool spin)
    {
        if (spin)
        {
            while (!ring.TryWrite(1, message))
            {
                Thread.SpinWait(1);
            }
        }
        else if (!ring.Write(1, message, TimeSpan.FromMinutes(1)))
        {
            throw new BenchmarkCheckException("ring ping-pong: no room for a minute.");
        }
    }

    private static void Receive(RingBuffer ring, RecordHandler handler, bool spin)
    {
        if (spin)
        {
            while (ring.TryRead(handler.Handle, 1) == 0)
            {
                Thread.SpinWait(1);
            }
        }
        else if (ring.Read(handler.Handle, TimeSpan.FromMinutes(1), 1) == 0)
        {
            throw new BenchmarkCheckException("ring ping-pong: no answer for a minute.");
        }
    }

    /// <summary>Keeps the last record's number; one delegate, allocated once.</summary>
    private sealed class RecordHandler
    {
        public RecordHandler() => Handle = (_, payload) => Value = BinaryPrimitives.ReadInt64LittleEndian(payload);

        public RingRecordHandler Handle { get; }

        public long Value { get; set; }
    }
}
