namespace PosixProcs;

/// <summary>Options of waitpid(2), in portable form.</summary>
[Flags]
public enum WaitOptions
{
    /// <summary>Block until the child ends.</summary>
    None = 0,

    /// <summary>Return at once with <see cref="WaitStatus.StillRunning"/> if the child has not changed state (WNOHANG).</summary>
    NoHang = 1,

    /// <summary>Also report a child that was stopped (WUNTRACED).</summary>
    Untraced = 2,

    /// <summary>Also report a stopped child that was continued (WCONTINUED).</summary>
    Continued = 4,
}
