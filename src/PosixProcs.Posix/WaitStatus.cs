namespace PosixProcs;

/// <summary>
/// What <c>waitpid</c> reported about a child: a closed set of outcomes.
/// Match on the nested records: <see cref="Exited"/>, <see cref="Signaled"/>,
/// <see cref="Stopped"/>, <see cref="Continued"/>, <see cref="StillRunning"/>.
/// </summary>
public abstract record WaitStatus
{
    private WaitStatus()
    {
    }

    /// <summary>The child called exit or _exit, or returned from main.</summary>
    /// <param name="Code">The exit code, 0..255.</param>
    public sealed record Exited(int Code) : WaitStatus
    {
        /// <inheritdoc/>
        public override string ToString() => $"exited with code {Code}";
    }

    /// <summary>The child was ended by a signal.</summary>
    /// <param name="Signal">The signal that ended it.</param>
    /// <param name="CoreDumped">Whether a core file was written.</param>
    public sealed record Signaled(Signal Signal, bool CoreDumped) : WaitStatus
    {
        /// <inheritdoc/>
        public override string ToString() => $"killed by {Signal.Name}{(CoreDumped ? " (core dumped)" : string.Empty)}";
    }

    /// <summary>The child was stopped by a signal (reported with WUNTRACED).</summary>
    /// <param name="Signal">The signal that stopped it.</param>
    public sealed record Stopped(Signal Signal) : WaitStatus
    {
        /// <inheritdoc/>
        public override string ToString() => $"stopped by {Signal.Name}";
    }

    /// <summary>The child was continued by SIGCONT (reported with WCONTINUED).</summary>
    public sealed record Continued : WaitStatus
    {
        /// <summary>The one value.</summary>
        public static Continued Instance { get; } = new();

        /// <inheritdoc/>
        public override string ToString() => "continued";
    }

    /// <summary>The child has not changed state (a WNOHANG poll found nothing).</summary>
    public sealed record StillRunning : WaitStatus
    {
        /// <summary>The one value.</summary>
        public static StillRunning Instance { get; } = new();

        /// <inheritdoc/>
        public override string ToString() => "still running";
    }

    /// <summary>Whether the child has ended (exited or was killed): it can be waited for no more.</summary>
    public bool HasEnded => this is Exited or Signaled;

    /// <summary>Whether the child exited with code 0.</summary>
    public bool IsSuccess => this is Exited { Code: 0 };

    /// <summary>
    /// Decodes a raw status as the platform's W* macros do: pure, no system call.
    /// The layout is the traditional one on both Linux and macOS (exit code in bits 8..15,
    /// terminating signal in bits 0..6, core flag 0x80, 0x7f for stopped); they differ only
    /// in how "continued" is encoded (Linux 0xffff, macOS stopped-by-SIGCONT).
    /// </summary>
    /// <param name="raw">The status word waitpid stored.</param>
    /// <returns>The decoded status.</returns>
    public static WaitStatus Decode(int raw)
    {
        int low = raw & 0x7f;
        if (low == 0)
        {
            return new Exited((raw >> 8) & 0xff);
        }

        if ((raw & 0xffff) == 0xffff && !OperatingSystem.IsMacOS())
        {
            return Continued.Instance;
        }

        if ((raw & 0xff) == 0x7f || (low == 0x7f && OperatingSystem.IsMacOS()))
        {
            Signal stopSignal = Signal.FromNumber((raw >> 8) & 0xff);
            return OperatingSystem.IsMacOS() && stopSignal == Signal.SIGCONT ? Continued.Instance : new Stopped(stopSignal);
        }

        return new Signaled(Signal.FromNumber(low), (raw & 0x80) != 0);
    }
}
