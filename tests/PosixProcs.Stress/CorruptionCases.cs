using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PosixProcs.SharedMemory;

namespace PosixProcs.Stress;

/// <summary>
/// (f) Corrupted shared memory and truncated frames must give typed errors (InvalidDataException,
/// ChannelClosedException), never a crash, a hang or data from outside the ring.
/// </summary>
internal static class CorruptionCases
{
    private const int Capacity = 1 << 12;

    /// <summary>
    /// The ring's shared layout (RingBufferLayout and RingRecord are internal to the library):
    /// written down here from their documentation, and checked against a fresh ring by
    /// <see cref="CheckLayout"/> before anything is corrupted, so a layout change fails loudly.
    /// </summary>
    private static class Layout
    {
        public const int MagicOffset = 0;
        public const int VersionOffset = 8;
        public const int CapacityOffset = 12;
        public const int ProducersOffset = 16;
        public const int TailOffset = 128;
        public const int HeadOffset = 256;
        public const int HeaderLength = 512;
        public const int Version = 1;
        public const int RecordLengthOffset = 0;
    }

    /// <summary>Whether a fresh ring has the layout written down in <see cref="Layout"/>: version, capacity, and the first record's length.</summary>
    private static bool CheckLayout(CaseRecorder recorder)
    {
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity));
        RingBuffer ring = RingBuffer.Create(region, Capacity, RingBufferProducers.One);
        ring.TryWrite(1, new byte[4]);
        int version = BinaryPrimitives.ReadInt32LittleEndian(region.Slice(Layout.VersionOffset, 4));
        int capacity = BinaryPrimitives.ReadInt32LittleEndian(region.Slice(Layout.CapacityOffset, 4));
        int firstLength = BinaryPrimitives.ReadInt32LittleEndian(region.Slice(Layout.HeaderLength + Layout.RecordLengthOffset, 4));
        long tail = BinaryPrimitives.ReadInt64LittleEndian(region.Slice(Layout.TailOffset, 8));
        return recorder.Check("the ring layout is as written down", version == Layout.Version && capacity == Capacity && firstLength == 12 && tail == 16,
            $"version {version}, capacity {capacity}, first record length {firstLength}, tail {tail}");
    }

    /// <summary>Each header field of a ring corrupted in turn: Attach must refuse it with InvalidDataException.</summary>
    public static int RingHeader(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        if (!CheckLayout(recorder))
        {
            return recorder.Finish();
        }

        var corruptions = new (string Name, int Offset, long Value, int Size)[]
        {
            ("magic", Layout.MagicOffset, 0x1234_5678, 8),
            ("version", Layout.VersionOffset, Layout.Version + 7, 4),
            ("capacity not a power of two", Layout.CapacityOffset, Capacity - 8, 4),
            ("capacity beyond the region", Layout.CapacityOffset, Capacity * 4, 4),
            ("capacity negative", Layout.CapacityOffset, -Capacity, 4),
            ("producer mode", Layout.ProducersOffset, 7, 4),
        };
        foreach ((string name, int offset, long value, int size) in corruptions)
        {
            using SharedMemoryRegion region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity));
            RingBuffer.Create(region, Capacity, RingBufferProducers.One);
            Span<byte> field = region.Slice(offset, size);
            if (size == 8)
            {
                BinaryPrimitives.WriteInt64LittleEndian(field, value);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(field, (int)value);
            }

            Exception? error = LimitCases.Attempt(() => RingBuffer.Attach(region));
            recorder.Check($"header {name}", error is InvalidDataException, $"{name}: {(error is null ? "attached anyway" : LimitCases.Describe(error))}");
        }

        return recorder.Finish();
    }

    private static readonly (string Name, Action<SharedMemoryRegion> Corrupt)[] RecordCorruptions =
    [
        ("record length below the header", r => SetRecordLength(r, 3)),
        ("record length past the end of the ring", r => SetRecordLength(r, Capacity + 64)),
        ("record length huge", r => SetRecordLength(r, 0x7FFF_0000)),
        ("head ahead of tail", r => BinaryPrimitives.WriteInt64LittleEndian(r.Slice(Layout.HeadOffset, 8), 1 << 20)),
        ("tail a lap beyond head", r => BinaryPrimitives.WriteInt64LittleEndian(r.Slice(Layout.TailOffset, 8), 3L * Capacity)),
    ];

    /// <summary>
    /// A record whose length word was overwritten, and head/tail positions that make no sense:
    /// a read must throw InvalidDataException, not hand out bytes from outside the ring or crash.
    /// Each corruption is read in a probe process of its own, so a crash (a read out of bounds)
    /// is recorded with its signal and the other corruptions still run.
    /// </summary>
    public static int RingRecords(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        if (!CheckLayout(recorder))
        {
            return recorder.Finish();
        }

        for (int i = 0; i < RecordCorruptions.Length; i++)
        {
            string name = RecordCorruptions[i].Name;
            using HelperProcess probe = HelperProcess.Start(Program.ProbeVerb, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string output = probe.Stop(TimeSpan.FromSeconds(20));
            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("outcome ", StringComparison.Ordinal));
            WaitStatus? status = probe.Status;
            bool typed = line is not null && line.StartsWith("outcome typed ", StringComparison.Ordinal) && status is { IsSuccess: true };
            string detail = line?["outcome ".Length..] ?? "no outcome";
            recorder.Check($"records: {name}", typed, $"{name}: {detail}{(status is { IsSuccess: true } ? string.Empty : $" (probe {status?.ToString() ?? "hung, killed"})")}");
        }

        return recorder.Finish();
    }

    /// <summary>The probe: <c>probe INDEX</c> corrupts a fresh ring one way, reads it, prints the outcome.</summary>
    public static int Probe(string[] args)
    {
        (string _, Action<SharedMemoryRegion> corrupt) = RecordCorruptions[int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture)];
        using SharedMemoryRegion region = SharedMemoryRegion.Create(RingBuffer.RequiredLength(Capacity));
        RingBuffer ring = RingBuffer.Create(region, Capacity, RingBufferProducers.One);
        for (int i = 0; i < 3; i++)
        {
            ring.TryWrite(1, BitConverter.GetBytes(i));
        }

        corrupt(region);
        long largest = 0;
        int records = 0;
        Console.Out.Flush();
        Exception? error = LimitCases.Attempt(() =>
        {
            RingBuffer attached = RingBuffer.Attach(region);
            records = attached.Read((_, payload) => largest = Math.Max(largest, payload.Length), TimeSpan.FromMilliseconds(200));
        });
        Console.WriteLine(error is InvalidDataException
            ? $"outcome typed {LimitCases.Describe(error)}"
            : $"outcome untyped {(error is null ? $"read {records} record(s), largest payload {largest} bytes (ring capacity {Capacity})" : LimitCases.Describe(error))}");
        return 0;
    }

    /// <summary>Frames cut short or announcing impossible lengths on a duplex channel.</summary>
    public static int TruncatedFrames(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        byte[] header100 = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header100, 100);
        byte[] headerHuge = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(headerHuge, int.MaxValue);
        byte[] headerNegative = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(headerNegative, -5);

        Frame(recorder, "half a header, then close", [.. header100.AsSpan(0, 2)], close: true, expectClosed: ChannelCloseReason.Truncated);
        Frame(recorder, "10 of 100 bytes, then close", [.. header100, .. new byte[10]], close: true, expectClosed: ChannelCloseReason.Truncated);
        Frame(recorder, "10 of 100 bytes, peer still open", [.. header100, .. new byte[10]], close: false, expectClosed: null);
        Frame(recorder, "length above the maximum", headerHuge, close: false, expectClosed: null, expectInvalid: true);
        Frame(recorder, "negative length", headerNegative, close: false, expectClosed: null, expectInvalid: true);

        // A forked peer that sends one whole message, starts a second and is killed.
        PipeEnds pair = Posix.SocketPair();
        using ChildProcess sender = ChildProcess.Fork(() =>
        {
            byte[] raw = new byte[4 + 4 + 16];
            BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(4), 1000); // after an empty message: 1000 announced, 16 sent
            Posix.WriteAll(pair.Write, raw);
            Posix.Kill(Pid.Current, Signal.SIGKILL);
        }, new ForkOptions { InheritedDescriptors = [pair.Write] }); // a forked child keeps only what it is given
        pair.Write.Dispose();
        using DuplexChannel fromSender = DuplexChannel.Open(pair.Read);
        bool gotFirst = false;
        Exception? first = LimitCases.Attempt(() => gotFirst = fromSender.TryReceive(TimeSpan.FromSeconds(30), out _));
        Exception? second = LimitCases.Attempt(() => fromSender.TryReceive(TimeSpan.FromSeconds(30), out _));
        sender.Wait(TimeSpan.FromSeconds(30));
        recorder.Check("peer killed mid-message", first is null && gotFirst && second is ChannelClosedException { Reason: ChannelCloseReason.Truncated },
            $"peer killed mid-message: first {(gotFirst ? "delivered" : first is null ? "missing" : LimitCases.Describe(first))}, then {(second is null ? "no error" : LimitCases.Describe(second))}");
        return recorder.Finish();
    }

    private static void Frame(CaseRecorder recorder, string name, byte[] bytes, bool close, ChannelCloseReason? expectClosed, bool expectInvalid = false)
    {
        PipeEnds pair = Posix.SocketPair();
        using DuplexChannel channel = DuplexChannel.Open(pair.Read);
        using FileDescriptorHandle peer = pair.Write;
        Posix.WriteAll(peer, bytes);
        if (close)
        {
            peer.Dispose();
        }

        bool received = false;
        Exception? error = LimitCases.Attempt(() => received = channel.TryReceive(TimeSpan.FromMilliseconds(300), out _));
        bool holds = expectInvalid ? error is InvalidDataException
            : expectClosed is { } reason ? error is ChannelClosedException closed && closed.Reason == reason
            : error is null && !received;
        string outcome = error is null ? (received ? "a message was delivered" : "no message, no error (waits for the rest)") : LimitCases.Describe(error);
        recorder.Check($"frame: {name}", holds, $"{name}: {outcome}");
    }

    private static void SetRecordLength(SharedMemoryRegion region, int length)
    {
        // The first record starts right after the header: overwrite its length word.
        BinaryPrimitives.WriteInt32LittleEndian(region.Slice(Layout.HeaderLength + Layout.RecordLengthOffset, 4), length);
    }
}
