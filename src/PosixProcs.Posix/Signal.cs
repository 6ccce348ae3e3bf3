namespace PosixProcs;

/// <summary>
/// A signal, by its portable name. Numbers differ between Linux and macOS (SIGCHLD is 17 on
/// Linux and 20 on macOS, SIGUSR1 10 and 30): <see cref="Number"/> is this platform's,
/// asked from the C headers through the shim (PP_CONST_SIG*), never a hard-coded Linux value.
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
            foreach ((string name, Signal signal) in Known.Value)
            {
                if (signal.Number == Number)
                {
                    return name;
                }
            }

            return $"SIG{Number}";
        }
    }

    /// <summary>Hangup.</summary>
    public static Signal SIGHUP { get; } = From(PlatformConstant.SIGHUP);

    /// <summary>Interrupt from the keyboard (Ctrl-C).</summary>
    public static Signal SIGINT { get; } = From(PlatformConstant.SIGINT);

    /// <summary>Quit from the keyboard.</summary>
    public static Signal SIGQUIT { get; } = From(PlatformConstant.SIGQUIT);

    /// <summary>Illegal instruction.</summary>
    public static Signal SIGILL { get; } = From(PlatformConstant.SIGILL);

    /// <summary>Abort (abort(3), Environment.FailFast).</summary>
    public static Signal SIGABRT { get; } = From(PlatformConstant.SIGABRT);

    /// <summary>Bus error.</summary>
    public static Signal SIGBUS { get; } = From(PlatformConstant.SIGBUS);

    /// <summary>Arithmetic error.</summary>
    public static Signal SIGFPE { get; } = From(PlatformConstant.SIGFPE);

    /// <summary>Kill: cannot be caught, blocked or ignored.</summary>
    public static Signal SIGKILL { get; } = From(PlatformConstant.SIGKILL);

    /// <summary>User-defined signal 1.</summary>
    public static Signal SIGUSR1 { get; } = From(PlatformConstant.SIGUSR1);

    /// <summary>Invalid memory reference.</summary>
    public static Signal SIGSEGV { get; } = From(PlatformConstant.SIGSEGV);

    /// <summary>User-defined signal 2.</summary>
    public static Signal SIGUSR2 { get; } = From(PlatformConstant.SIGUSR2);

    /// <summary>Write to a pipe with no reader.</summary>
    public static Signal SIGPIPE { get; } = From(PlatformConstant.SIGPIPE);

    /// <summary>Timer from alarm(2).</summary>
    public static Signal SIGALRM { get; } = From(PlatformConstant.SIGALRM);

    /// <summary>Termination request: the polite way to ask a process to exit.</summary>
    public static Signal SIGTERM { get; } = From(PlatformConstant.SIGTERM);

    /// <summary>A child stopped or exited.</summary>
    public static Signal SIGCHLD { get; } = From(PlatformConstant.SIGCHLD);

    /// <summary>Continue if stopped.</summary>
    public static Signal SIGCONT { get; } = From(PlatformConstant.SIGCONT);

    /// <summary>Stop: cannot be caught, blocked or ignored.</summary>
    public static Signal SIGSTOP { get; } = From(PlatformConstant.SIGSTOP);

    /// <summary>Stop from the terminal (Ctrl-Z).</summary>
    public static Signal SIGTSTP { get; } = From(PlatformConstant.SIGTSTP);

    /// <summary>CPU time limit exceeded (RLIMIT_CPU soft limit).</summary>
    public static Signal SIGXCPU { get; } = From(PlatformConstant.SIGXCPU);

    /// <summary>Terminal input for a background process.</summary>
    public static Signal SIGTTIN { get; } = From(PlatformConstant.SIGTTIN);

    /// <summary>Terminal output from a background process.</summary>
    public static Signal SIGTTOU { get; } = From(PlatformConstant.SIGTTOU);

    /// <summary>The terminal window changed size.</summary>
    public static Signal SIGWINCH { get; } = From(PlatformConstant.SIGWINCH);

    /// <summary>Trace or breakpoint trap.</summary>
    public static Signal SIGTRAP { get; } = From(PlatformConstant.SIGTRAP);

    /// <summary>Bad system call.</summary>
    public static Signal SIGSYS { get; } = From(PlatformConstant.SIGSYS);

    /// <summary>Urgent data on a socket.</summary>
    public static Signal SIGURG { get; } = From(PlatformConstant.SIGURG);

    /// <summary>I/O is possible on a descriptor.</summary>
    public static Signal SIGIO { get; } = From(PlatformConstant.SIGIO);

    /// <summary>Profiling timer expired.</summary>
    public static Signal SIGPROF { get; } = From(PlatformConstant.SIGPROF);

    /// <summary>Virtual timer expired.</summary>
    public static Signal SIGVTALRM { get; } = From(PlatformConstant.SIGVTALRM);

    /// <summary>File size limit exceeded (RLIMIT_FSIZE).</summary>
    public static Signal SIGXFSZ { get; } = From(PlatformConstant.SIGXFSZ);

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
        foreach ((string known, Signal signal) in Known.Value)
        {
            if (known == full)
            {
                return signal;
            }
        }

        throw new ArgumentException($"No signal is named '{name}'.", nameof(name));
    }

    /// <summary>Every named signal, by C name; built on first use, after the properties above.</summary>
    private static readonly Lazy<(string Name, Signal Signal)[]> Known = new(() =>
    [
        ("SIGHUP", SIGHUP), ("SIGINT", SIGINT), ("SIGQUIT", SIGQUIT), ("SIGILL", SIGILL), ("SIGTRAP", SIGTRAP),
        ("SIGABRT", SIGABRT), ("SIGBUS", SIGBUS), ("SIGFPE", SIGFPE), ("SIGKILL", SIGKILL), ("SIGUSR1", SIGUSR1),
        ("SIGSEGV", SIGSEGV), ("SIGUSR2", SIGUSR2), ("SIGPIPE", SIGPIPE), ("SIGALRM", SIGALRM), ("SIGTERM", SIGTERM),
        ("SIGCHLD", SIGCHLD), ("SIGCONT", SIGCONT), ("SIGSTOP", SIGSTOP), ("SIGTSTP", SIGTSTP), ("SIGTTIN", SIGTTIN),
        ("SIGTTOU", SIGTTOU), ("SIGURG", SIGURG), ("SIGXCPU", SIGXCPU), ("SIGXFSZ", SIGXFSZ), ("SIGVTALRM", SIGVTALRM),
        ("SIGPROF", SIGPROF), ("SIGWINCH", SIGWINCH), ("SIGIO", SIGIO), ("SIGSYS", SIGSYS),
    ]);

    private static Signal From(PlatformConstant id)
    {
        int number = Interop.GetPlatformConstant((int)id);
        return number > 0 ? new Signal(number) : throw new PlatformNotSupportedException($"The shim does not know {id} ({number}).");
    }

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
