namespace PosixProcs.Tests;

public class StreamTests
{
    [Fact]
    public void Write_ReaderClosed_ThrowsEPIPE()
    {
        PipeEnds pipe = Posix.Pipe();
        pipe.Read.Dispose();
        using var writer = new FileDescriptorStream(pipe.Write, FileAccess.Write);
        var ex = Assert.Throws<PosixException>(() => writer.Write([1, 2, 3]));
        Assert.Equal(PosixErrno.EPIPE, ex.Errno);
    }

    [Fact]
    public async Task ReadAsync_DataArrivesLater_CompletesWithData()
    {
        PipeEnds pipe = Posix.Pipe();
        using var reader = new FileDescriptorStream(pipe.Read, FileAccess.Read);
        using var writer = new FileDescriptorStream(pipe.Write, FileAccess.Write);
        var buffer = new byte[16];
        ValueTask<int> read = reader.ReadAsync(buffer);
        Assert.False(read.IsCompleted);
        await writer.WriteAsync(new byte[] { 9, 8, 7 });
        Assert.Equal(3, await read.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(9, buffer[0]);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_ThrowsOperationCanceled()
    {
        PipeEnds pipe = Posix.Pipe();
        using var reader = new FileDescriptorStream(pipe.Read, FileAccess.Read);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await reader.ReadAsync(new byte[4], cts.Token));
        pipe.Write.Dispose();
    }

    [Fact]
    public async Task WriteAsync_LargerThanPipeCapacity_CompletesAsReaderDrains()
    {
        PipeEnds pipe = Posix.Pipe();
        using var reader = new FileDescriptorStream(pipe.Read, FileAccess.Read);
        var writer = new FileDescriptorStream(pipe.Write, FileAccess.Write);
        byte[] payload = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();
        Task write = writer.WriteAsync(payload).AsTask().ContinueWith(_ => writer.Dispose(), TaskScheduler.Default);
        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy).WaitAsync(TimeSpan.FromSeconds(30));
        await write;
        Assert.Equal(payload, copy.ToArray());
    }

    [Fact]
    public async Task DuplexChannel_InProcessPair_MessagesAndJsonRoundTrip()
    {
        (DuplexChannel a, DuplexChannel b) = DuplexChannel.CreatePair();
        using (a)
        using (b)
        {
            a.Send("ping"u8);
            Assert.Equal("ping"u8.ToArray(), b.Receive());
            b.Send(new Point(3, 4), TestJson.Default.Point);
            Assert.Equal(new Point(3, 4), a.Receive(TestJson.Default.Point));
            byte[] big = new byte[200_000];
            Random.Shared.NextBytes(big);
            var receive = Task.Run(b.Receive);
            a.Send(big);
            Assert.Equal(big, await receive.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public void TryReceive_ZeroTimeoutWithMessageWaiting_ReturnsIt()
    {
        (DuplexChannel a, DuplexChannel b) = DuplexChannel.CreatePair();
        using (a)
        using (b)
        {
            Assert.False(b.TryReceive(TimeSpan.Zero, out _));
            a.Send("here"u8);
            Assert.True(b.TryReceive(TimeSpan.Zero, out byte[]? message));
            Assert.Equal("here"u8.ToArray(), message);
        }
    }

    [Fact]
    public void DuplexChannel_PeerDisposed_EndOfStream()
    {
        (DuplexChannel a, DuplexChannel b) = DuplexChannel.CreatePair();
        a.Dispose();
        var ex = Assert.Throws<ChannelClosedException>(() => b.Receive());
        Assert.Equal(ChannelCloseReason.EndOfStream, ex.Reason);
        b.Dispose();
    }

    [Fact]
    public void DuplexChannel_MessageOverLimit_ThrowsArgumentException()
    {
        (DuplexChannel a, DuplexChannel b) = DuplexChannel.CreatePair();
        using (a)
        using (b)
        {
            var small = new DuplexChannel(Posix.Duplicate(a.Handle), null) { MaxMessageBytes = 8 };
            Assert.Throws<ArgumentException>(() => small.Send(new byte[9]));
            small.Dispose();
        }
    }
}

public sealed record Point(int X, int Y);

[System.Text.Json.Serialization.JsonSerializable(typeof(Point))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
