using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

public class PipeTests
{
    [Fact]
    public void Pipe_WriteThenRead_BytesArriveInOrder()
    {
        using PipeEnds pipe = Posix.Pipe();
        byte[] message = "hello, pipe"u8.ToArray();
        Posix.WriteAll(pipe.Write, message);
        var buffer = new byte[64];
        int n = Posix.Read(pipe.Read, buffer);
        Assert.Equal(message, buffer[..n]);
    }

    [Fact]
    public void Pipe_NewDescriptors_AreCloseOnExec()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.True(pipe.Read.CloseOnExec);
        Assert.True(pipe.Write.CloseOnExec);
        Assert.Equal(1, Interop.fcntl_get_FD_CLOEXEC(pipe.Read.Number));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SocketPair_NewSockets_CloseOnExecAndBlockingAsAsked(bool nonBlocking)
    {
        using PipeEnds pair = Posix.SocketPair(nonBlocking);
        Assert.True(pair.Read.CloseOnExec);
        Assert.True(pair.Write.CloseOnExec);
        Assert.Equal(nonBlocking, pair.Read.NonBlocking);
        Assert.Equal(nonBlocking, pair.Write.NonBlocking);
    }

    [Fact]
    public void Pipe_Blocking_BothEndsBlocking()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.False(pipe.Read.NonBlocking);
        Assert.False(pipe.Write.NonBlocking);
    }

    [Fact]
    public void Pipe_NonBlockingEmpty_ReadThrowsEAGAIN()
    {
        using PipeEnds pipe = Posix.Pipe(nonBlocking: true);
        Assert.True(pipe.Read.NonBlocking);
        var ex = Assert.Throws<PosixException>(() => Posix.Read(pipe.Read, new byte[8]));
        Assert.Equal(PosixErrno.EAGAIN, ex.Errno);
        Assert.StartsWith("read: EAGAIN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipe_AllWritersClosed_ReadReturnsZero()
    {
        using PipeEnds pipe = Posix.Pipe();
        Posix.WriteAll(pipe.Write, [1, 2, 3]);
        pipe.Write.Dispose();
        var buffer = new byte[8];
        Assert.Equal(3, Posix.Read(pipe.Read, buffer));
        Assert.Equal(0, Posix.Read(pipe.Read, buffer));
    }

    [Fact]
    public void Write_ReaderClosed_ThrowsEPIPE()
    {
        using PipeEnds pipe = Posix.Pipe();
        pipe.Read.Dispose();
        var ex = Assert.Throws<PosixException>(() => Posix.Write(pipe.Write, [1]));
        Assert.Equal(PosixErrno.EPIPE, ex.Errno);
        Assert.Equal("write", ex.CallName);
    }

    [Fact]
    public void Poll_EmptyPipe_TimesOutWithNone()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.Equal(PollEvents.None, Posix.Poll(pipe.Read, PollEvents.In, TimeSpan.FromMilliseconds(10)));
        Posix.WriteAll(pipe.Write, [7]);
        Assert.Equal(PollEvents.In, Posix.Poll(pipe.Read, PollEvents.In, TimeSpan.Zero));
    }

    [Fact]
    public void SocketPair_BothDirections_BytesArrive()
    {
        using PipeEnds pair = Posix.SocketPair();
        Posix.WriteAll(pair.Read, [1, 2]);
        Posix.WriteAll(pair.Write, [3]);
        var buffer = new byte[4];
        Assert.Equal(2, Posix.Read(pair.Write, buffer));
        Assert.Equal(1, Posix.Read(pair.Read, buffer));
        Assert.Equal(3, buffer[0]);
    }

    [Fact]
    public void GetPipeCapacity_NewPipe_IsAtLeastOnePage()
    {
        using PipeEnds pipe = Posix.Pipe();
        Assert.True(Posix.GetPipeCapacity(pipe.Read) >= Posix.PageSize);
    }
}
