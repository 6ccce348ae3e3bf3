using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// Round trip over two Posix pipes between this process and a forked child that echoes:
/// the parent writes a message whose first byte is a sequence number, the child reads it
/// whole, adds one to the first byte and writes it back. Against the C program doing the
/// same, and Python's multiprocessing Pipe. Target (issue 3, for the duplex connection
/// built on this): at most 1.1x C.
/// </summary>
public sealed class PipePingPongBenchmark : Benchmark
{
    private readonly int size;
    private readonly TimeSpan childTimeout;
    private readonly byte[] message;
    private PipeEnds? toChild;
    private PipeEnds? toParent;
    private ForkedChild? child;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="size">Message size in bytes, 1..4096 (one atomic pipe write).</param>
    public PipePingPongBenchmark(BenchmarkSettings settings, int size)
        : base(
            string.Create(CultureInfo.InvariantCulture, $"posix.pipe_pingpong_{size}B"),
            string.Create(CultureInfo.InvariantCulture, $"round trip of a {size}-byte message over two pipes to a forked echo child"),
            Unit.Microseconds,
            Iterations(settings))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 4096);
        this.size = size;
        childTimeout = settings.ChildTimeout;
        message = new byte[size];
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Every Posix.Read/Posix.Write pins the buffer and holds a reference on the SafeHandle (DangerousAddRef/Release) " +
        "around the system call, through a delegate; the other side is a forked .NET process running the same calls.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string sizeText = size.ToString(CultureInfo.InvariantCulture);
        return
        [
            new(References.C(settings, "pipe_pingpong", $"c.pipe_pingpong_{size}B", Unit.Microseconds, OperationsPerRepetition, "--size", sizeText), Target.AtMost(1.1, "project goal")),
            // Python is ~3x slower per round trip: fewer of them keep its rounds as long as ours.
            new(References.Python(settings, "pipe_queue.py", $"py.pipe_pingpong_{size}B", Unit.Microseconds, settings.Size(5000, 2000), "--size", sizeText), null),
        ];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        toChild = Posix.Pipe();
        toParent = Posix.Pipe();
        PipeEnds requests = toChild, replies = toParent;
        int length = size;
        child = ForkedChild.Start(() => Echo(requests, replies, length));
        toChild.Read.Dispose();
        toParent.Write.Dispose();
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        FileDescriptorHandle requests = toChild!.Write, replies = toParent!.Read;
        ulong checksum = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            message[0] = (byte)i;
            Posix.WriteAll(requests, message);
            ReadExactly(replies, message);
            if (message[0] != (byte)(i + 1))
            {
                throw new BenchmarkCheckException($"{Name}: reply {message[0]} to message {(byte)i} was not the incremented message.");
            }

            checksum += message[0];
        }

        return new Work(OperationsPerRepetition, checksum);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Closing the request pipe is the child's signal to exit 0.
            toChild?.Dispose();
            try
            {
                child?.WaitForCode(childTimeout, 0);
            }
            finally
            {
                child?.Dispose();
                toParent?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads exactly buffer.Length bytes; false at end of file before the first byte.</summary>
    internal static bool ReadExactly(FileDescriptorHandle fd, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = Posix.Read(fd, buffer[got..]);
            if (n == 0)
            {
                return got == 0 ? false : throw new BenchmarkCheckException($"end of file after {got} of {buffer.Length} bytes.");
            }

            got += n;
        }

        return true;
    }

    /// <summary>The child: echo each message with its first byte incremented, until end of file.</summary>
    private static int Echo(PipeEnds requests, PipeEnds replies, int size)
    {
        requests.Write.Dispose();
        replies.Read.Dispose();
        byte[] buffer = new byte[size];
        while (ReadExactly(requests.Read, buffer))
        {
            buffer[0]++;
            Posix.WriteAll(replies.Write, buffer);
        }

        return 0;
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(20000, 5000);
    }
}
