using System.Buffers.Binary;

namespace PosixProcs.Benchmarks;

/// <summary>
/// One-way pipe throughput with 64 KiB writes from this process to a forked child, against
/// the C program doing the same. Per repetition the parent sends the byte count, then the
/// chunks; the child reads them all and answers with the count and the sum of every
/// 4096th byte of the stream, which the parent checks. Target (issue 3): at least 0.9x C.
/// </summary>
public sealed class PipeThroughputBenchmark : Benchmark
{
    private const int ChunkSize = 64 * 1024;
    private const int SampleStride = 4096;
    private readonly TimeSpan childTimeout;
    private readonly byte[] chunk = new byte[ChunkSize];
    private readonly byte[] header = new byte[8];
    private readonly byte[] answer = new byte[16];
    private ulong expectedSum;
    private PipeEnds? data;
    private PipeEnds? replies;
    private ForkedChild? child;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public PipeThroughputBenchmark(BenchmarkSettings settings)
        : base("posix.pipe_throughput_64KiB", "64 KiB Posix.WriteAll calls into a pipe read by a forked child", Unit.MebibytesPerSecond, Chunks(settings))
    {
        childTimeout = settings.ChildTimeout;
    }

    private long TotalBytes => OperationsPerRepetition * ChunkSize;

    /// <inheritdoc/>
    public override string Remarks =>
        "Every Posix.Read/Posix.Write pins the buffer and holds a reference on the SafeHandle (DangerousAddRef/Release) " +
        "around the system call, through a delegate; the other side is a forked .NET process running the same calls.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(References.C(settings, "pipe_throughput", "c.pipe_throughput_64KiB", Unit.MebibytesPerSecond, OperationsPerRepetition, "--size", "65536"), Target.AtLeast(0.9, "project goal")),
        ];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        for (int i = 0; i < chunk.Length; i++)
        {
            chunk[i] = (byte)((i * 7) + 1);
        }

        for (long k = 0; k < TotalBytes; k += SampleStride)
        {
            expectedSum += chunk[k % ChunkSize];
        }

        data = Posix.Pipe();
        replies = Posix.Pipe();
        PipeEnds input = data, output = replies;
        child = ForkedChild.Start(() => Drain(input, output));
        data.Read.Dispose();
        replies.Write.Dispose();
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        BinaryPrimitives.WriteInt64LittleEndian(header, TotalBytes);
        Posix.WriteAll(data!.Write, header);
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            Posix.WriteAll(data.Write, chunk);
        }

        if (!PipePingPongBenchmark.ReadExactly(replies!.Read, answer))
        {
            throw new BenchmarkCheckException($"{Name}: the reader child closed the pipe without answering.");
        }

        long got = BinaryPrimitives.ReadInt64LittleEndian(answer);
        ulong sum = BinaryPrimitives.ReadUInt64LittleEndian(answer.AsSpan(8));
        if (got != TotalBytes || sum != expectedSum)
        {
            throw new BenchmarkCheckException($"{Name}: the reader got {got} bytes with sample sum {sum}; {TotalBytes} and {expectedSum} were sent.");
        }

        return new Work(OperationsPerRepetition, sum, got);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            data?.Dispose();
            try
            {
                child?.WaitForCode(childTimeout, 0);
            }
            finally
            {
                child?.Dispose();
                replies?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>The child: per repetition read the count, then that many bytes, and answer; exit 0 at end of file.</summary>
    private static int Drain(PipeEnds input, PipeEnds output)
    {
        input.Write.Dispose();
        output.Read.Dispose();
        byte[] buffer = new byte[ChunkSize];
        byte[] size = new byte[8];
        byte[] reply = new byte[16];
        while (PipePingPongBenchmark.ReadExactly(input.Read, size))
        {
            long total = BinaryPrimitives.ReadInt64LittleEndian(size);
            long got = 0;
            ulong sum = 0;
            while (got < total)
            {
                int n = Posix.Read(input.Read, buffer.AsSpan(0, (int)Math.Min(buffer.Length, total - got)));
                if (n == 0)
                {
                    return 1;
                }

                // Every 4096th byte of the stream, wherever the read boundaries fall.
                for (long k = (got + SampleStride - 1) / SampleStride * SampleStride; k < got + n; k += SampleStride)
                {
                    sum += buffer[k - got];
                }

                got += n;
            }

            BinaryPrimitives.WriteInt64LittleEndian(reply, got);
            BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(8), sum);
            Posix.WriteAll(output.Write, reply);
        }

        return 0;
    }

    private static long Chunks(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(4096, 1024);
    }
}
