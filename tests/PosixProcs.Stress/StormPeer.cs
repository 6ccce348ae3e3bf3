using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using PosixProcs.SharedMemory;

namespace PosixProcs.Stress;

/// <summary>
/// The other side of the signal storm's waits, a spawned process that the storm does not hit:
/// <c>peer REGION_LENGTH</c> with the shared region on descriptor 3, a channel socket on 4 and a
/// pipe's write end on 5. On request it writes ring records, pipe chunks, sets the shared
/// event or echoes messages, slowly enough that the host really waits for each.
/// </summary>
internal static class StormPeer
{
    public const int RingCapacity = 1 << 12;
    public const int RegionDescriptor = 3;
    public const int ChannelDescriptor = 4;
    public const int PipeDescriptor = 5;
    public const int ChunkBytes = 100;

    public static long EventOffset => RingBuffer.RequiredLength(RingCapacity);

    public static long RegionLength => EventOffset + 4096;

    public static int Run(string[] args)
    {
        long length = long.Parse(args[0], CultureInfo.InvariantCulture);
        using SharedMemoryRegion region = SharedMemoryRegion.Attach(new FileDescriptorHandle(RegionDescriptor, ownsHandle: true), length);
        RingBuffer ring = RingBuffer.Attach(region);
        SharedEvent ready = SharedEvent.Attach(region, EventOffset);
        using DuplexChannel channel = DuplexChannel.Open(new FileDescriptorHandle(ChannelDescriptor, ownsHandle: true));
        using var pipe = new FileDescriptorHandle(PipeDescriptor, ownsHandle: true);
        byte[] chunk = new byte[ChunkBytes];
        Span<byte> record = stackalloc byte[4];
        while (true)
        {
            byte[] message;
            try
            {
                message = channel.Receive();
            }
            catch (ChannelClosedException)
            {
                return 0; // the host is gone or done
            }

            string[] command = Encoding.UTF8.GetString(message).Split(' ');
            switch (command[0])
            {
                case "ring":
                    for (int i = 0; i < int.Parse(command[1], CultureInfo.InvariantCulture); i++)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(record, i);
                        if (!ring.Write(1, record, TimeSpan.FromSeconds(30)))
                        {
                            return 3;
                        }

                        Pause(i, 10);
                    }

                    break;
                case "pipe":
                    for (int i = 0; i < int.Parse(command[1], CultureInfo.InvariantCulture); i++)
                    {
                        chunk.AsSpan().Fill((byte)i);
                        Posix.WriteAll(pipe, chunk);
                        Pause(i, 5);
                    }

                    break;
                case "event":
                    Thread.Sleep(20);
                    ready.Set();
                    break;
                case "stop":
                    return 0;
                default:
                    channel.Send(message);
                    break;
            }
        }
    }

    /// <summary>Every few items, a millisecond: the host's wait must go to sleep and be woken.</summary>
    private static void Pause(int i, int every)
    {
        if (i % every == 0)
        {
            Thread.Sleep(1);
        }
    }
}
