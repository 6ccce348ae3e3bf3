namespace PosixProcs.Tests;

/// <summary>Damaged frames on a duplex channel give typed errors; no fork needed, a socket pair is enough.</summary>
public class ChannelFramingTests
{
    [Fact]
    public void Receive_PeerClosesMidFrame_ChannelClosedTruncated()
    {
        PipeEnds pair = Posix.SocketPair();
        using var channel = DuplexChannel.Open(pair.Read);
        Posix.Write(pair.Write, [10, 0, 0, 0, 1, 2, 3]); // announces 10 bytes, sends 3
        pair.Write.Dispose();
        var ex = Assert.Throws<ChannelClosedException>(() => channel.Receive());
        Assert.Equal(ChannelCloseReason.Truncated, ex.Reason);
    }

    [Fact]
    public void Receive_HeaderAnnouncesNegativeLength_InvalidData()
    {
        PipeEnds pair = Posix.SocketPair();
        using var channel = DuplexChannel.Open(pair.Read);
        Posix.Write(pair.Write, [0xFF, 0xFF, 0xFF, 0xFF]);
        Assert.Throws<InvalidDataException>(() => channel.Receive());
        pair.Write.Dispose();
    }
}
