using Mono.Unix.Native;

namespace PosixProcs;

/// <summary>
/// A signal, by its portable name. Numbers differ between Linux and macOS (SIGCHLD is 17 on
/// Linux and 20 on macOS, SIGUSR1 10 and 30): <see cref="Number"/> is this platform's,
/// translated by Mono.Posix, never a hard-coded Linux value.
/// </summary>
public readonly struct Signal : IEquatable<Signal>
{
    private Signal(int number) => Number = number;

    /// <summary>This platform's number for the signal.</summary>
    public int Number { get; }

    /// <summary>The C name, e.g. <c>"SIGKILL"</c>, or <c>"SIG&lt;n&gt;"</c> for a signal without one (real-time signals).</summary>
    public string Name
    {
        get
        {
            if (!NativeConvert.TryToSignum(Number, out Signum signum))
            {
                return $"SIG{Number}";
            }

            return signum switch
            {
                Signum.SIGABRT => "SIGABRT",
                Signum.SIGCHLD => "SIGCHLD",
                Signum.SIGIO => "SIGIO",
                _ => signum.ToString(),
            };
        }
    }

    /// <summary>Hangup.</summary>
    public static Signal SIGHUP { get; } = From(Signum.SIGHUP);

    /// <summary>Interrupt from the keyboard (Ctrl-C).</summary>
    public static Signal SIGINT { get; } = From(Signum.SIGINT);

    /// <summary>Quit from the keyboard.</summary>
    public static Signal SIGQUIT { get; } = From(Signum.SIGQUIT);

    /// <summary>Illegal instruction.</summary>
    public static Signal SIGILL { get; } = From(Signum.SIGILL);

    /// <summary>Abort (abort(3), Environment.FailFast).</summary>
    public static Signal SIGABRT { get; } = From(Signum.SIGABRT);

    /// <summary>Bus error.</summary>
    public static Signal SIGBUS { get; } = From(Signum.SIGBUS);

    /// <summary>Arithmetic error.</summary>
    public static Signal SIGFPE { get; } = From(Signum.SIGFPE);

    /// <summary>Kill: cannot be caught, blocked or ignored.</summary>
    public static Signal SIGKILL { get; } = From(Signum.SIGKILL);

    /// <summary>User-defined signal 1.</summary>
    public static Signal SIGUSR1 { get; } = From(Signum.SIGUSR1);

    /// <summary>Invalid memory reference.</summary>
    public static Signal SIGSEGV { get; } = From(Signum.SIGSEGV);

    /// <summary>User-defined signal 2.</summary>
    public static Signal SIGUSR2 { get; } = From(Signum.SIGUSR2);

    /// <summary>Write to a pipe with no reader.</summary>
    public static Signal SIGPIPE { get; } = From(Signum.SIGPIPE);

    /// <summary>Timer from alarm(2).</summary>
    public static Signal SIGALRM { get; } = From(Signum.SIGALRM);

    /// <summary>Termination request: the polite way to ask a process to exit.</summary>
    public static Signal SIGTERM { get; } = From(Signum.SIGTERM);

    /// <summary>A child stopped or exited.</summary>
    public static Signal SIGCHLD { get; } = From(Signum.SIGCHLD);

    /// <summary>Continue if stopped.</summary>
    public static Signal SIGCONT { get; } = From(Signum.SIGCONT);

    /// <summary>Stop: cannot be caught, blocked or ignored.</summary>
    public static Signal SIGSTOP { get; } = From(Signum.SIGSTOP);

    /// <summary>Stop from the terminal (Ctrl-Z).</summary>
    public static Signal SIGTSTP { get; } = From(Signum.SIGTSTP);

    /// <summary>CPU time limit exceeded (RLIMIT_CPU soft limit).</summary>
    public static Signal SIGXCPU { get; } = From(Signum.SIGXCPU);

    /// <summary>The signal with this platform's number <paramref name="number"/>.</summary>
    /// <param name="number">A native signal number, 1 or more.</param>
    /// <returns>The signal.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is 0 or negative.</exception>
    public static Signal FromNumber(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        return new Signal(number);
    }

    /// <summary>The signal with the portable name <paramref name="name"/> (with or without "SIG").</summary>
    /// <param name="name">E.g. "SIGTERM", "term" or "TERM".</param>
    /// <returns>The signal.</returns>
    /// <exception cref="ArgumentException">No signal has that name.</exception>
    public static Signal Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string upper = name.Trim().ToUpperInvariant();
        string full = upper.StartsWith("SIG", StringComparison.Ordinal) ? upper : "SIG" + upper;
        if (Enum.TryParse(full, out Signum signum) && Enum.IsDefined(signum))
        {
            return From(signum);
        }

        throw new ArgumentException($"No signal is named '{name}'.", nameof(name));
    }

    private static Signal From(Signum signum) => new(NativeConvert.FromSignum(signum));

    /// <inheritdoc/>
    public bool Equals(Signal other) => Number == other.Number;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Signal other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Number;

    /// <summary>The C name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    /// <summary>Equal when the numbers are equal.</summary>
    /// <param name="left">One signal.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are the same signal.</returns>
    public static bool operator ==(Signal left, Signal right) => left.Equals(right);

    /// <summary>Different when the numbers differ.</summary>
    /// <param name="left">One signal.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are different signals.</returns>
    public static bool operator !=(Signal left, Signal right) => !left.Equals(right);
}
