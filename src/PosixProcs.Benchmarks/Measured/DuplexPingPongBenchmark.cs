using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Round trip of a message over a <see cref="DuplexChannel"/> (framed, over a socket pair)
/// between this process and a child forked by <see cref="ChildProcess.Fork(Func{ChildContext, int}, ForkOptions?)"/>
/// that echoes each message with its first byte incremented. Against the C pipe ping-pong.
/// Target (issue 3): at most 1.1x C.
/// </summary>
public sealed class DuplexPingPongBenchmark : Benchmark
{
    private readonly int _size;
    private readonly byte[] _message;
    private ChildProcess? _child;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="size">Message size in bytes, 1 or more.</param>
    public DuplexPingPongBenchmark(BenchmarkSettings settings, int size)
        : base(
            string.Create(CultureInfo.InvariantCulture, $"duplex.pingpong_{size}B"),
            string.Create(CultureInfo.InvariantCulture, $"duplex connection round trip of a {size}-byte message to a forked echo child"),
            Unit.Microseconds,
            (settings ?? throw new ArgumentNullException(nameof(settings))).Size(20000, 5000))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
        _message = new byte[size];
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Each message is a 4-byte length and the bytes, sent with one write(2) and received into a buffer, so a round trip " +
        "is two writes and two reads, as in C; the channel also copies each received message into a fresh array.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string sizeText = _size.ToString(CultureInfo.InvariantCulture);
        return
        [
            new(References.C(settings, "pipe_pingpong", $"c.pipe_pingpong_{_size}B", Unit.Microseconds, OperationsPerRepetition, "--size", sizeText), Target.AtMost(1.1, "project goal")),
        ];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        _child = ChildProcess.Fork(context =>
        {
            DuplexChannel channel = context.Channel!;
            while (true)
            {
                byte[] message;
                try
                {
                    message = channel.Receive();
                }
                catch (ChannelClosedException)
                {
                    return 0;
                }

                message[0]++;
                channel.Send(message);
            }
        }, new ForkOptions { Channel = true, ParentDeathSignal = Signal.SIGKILL });
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        DuplexChannel channel = _child!.Channel!;
        ulong checksum = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            _message[0] = (byte)i;
            channel.Send(_message);
            byte[] reply = channel.Receive();
            if (reply.Length != _size || reply[0] != (byte)(i + 1))
            {
                throw new BenchmarkCheckException($"{Name}: reply to message {(byte)i} was not the incremented message.");
            }

            checksum += reply[0];
        }

        return new Work(OperationsPerRepetition, checksum, OperationsPerRepetition * _size * 2);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _child is not null)
        {
            _child.Channel!.Dispose(); // the echo child sees end of stream and exits 0
            if (!_child.Wait(TimeSpan.FromSeconds(10)))
            {
                _child.Kill();
            }

            _child.Dispose();
        }

        base.Dispose(disposing);
    }
}
