namespace PosixProcs;

/// <summary>Why a duplex channel can deliver no more messages.</summary>
public enum ChannelCloseReason
{
    /// <summary>The peer closed its end after a whole message: an orderly end.</summary>
    EndOfStream,

    /// <summary>The peer's end closed because the peer process died (killed, crashed, or exited with failure).</summary>
    PeerDied,

    /// <summary>The stream ended in the middle of a message: the peer died while sending.</summary>
    Truncated,
}

/// <summary>A duplex channel was closed by its peer; <see cref="Reason"/> tells an orderly end from a death.</summary>
public sealed class ChannelClosedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the channel closed.</param>
    public ChannelClosedException(ChannelCloseReason reason)
        : base(reason switch
        {
            ChannelCloseReason.EndOfStream => "The peer closed the channel.",
            ChannelCloseReason.PeerDied => "The peer process died; the channel is closed.",
            _ => "The channel closed in the middle of a message: the peer died while sending.",
        })
    {
        Reason = reason;
    }

    /// <summary>Why the channel closed.</summary>
    public ChannelCloseReason Reason { get; }
}
