namespace PosixProcs;

/// <summary>Events of poll(2), in portable form.</summary>
[Flags]
public enum PollEvents
{
    /// <summary>Nothing happened (a timeout).</summary>
    None = 0,

    /// <summary>Data can be read, or the writer side closed (read returns 0).</summary>
    In = 1,

    /// <summary>Data can be written.</summary>
    Out = 2,

    /// <summary>An error condition (e.g. the read end of a pipe closed, seen by the writer).</summary>
    Error = 4,

    /// <summary>Hang-up: the peer closed.</summary>
    HangUp = 8,

    /// <summary>The descriptor is not open.</summary>
    Invalid = 16,
}
