namespace PosixProcs;

public static partial class Posix
{
    /// <summary>
    /// fork(2), guarded: refused with <see cref="ForkHazardException"/> when the runtime
    /// state would crash the parent or hang the child (see <see cref="ForkSafety"/>).
    /// </summary>
    /// <remarks>
    /// The child is a copy of this process with one thread: the one that called Fork. In the
    /// child, SIGTERM, SIGINT, SIGHUP, SIGQUIT and the job-control signals get their default
    /// actions back (the runtime's handlers would swallow them there). It
    /// should do its work and leave through <see cref="Exit"/> (no finalizers, no second
    /// flush of buffers the parent also holds). Console output is autoflushed by .NET, so
    /// nothing written before the fork is printed twice; flush your own buffered writers
    /// before forking. To run a program, use spawn instead: it forks and execs in C.
    /// </remarks>
    /// <param name="acceptedHazards">Hazards to ignore. Only for demonstrating a hazard in a sacrificial process.</param>
    /// <param name="waitForQuietThreads">
    /// How long to wait for other threads to stop running managed code before refusing;
    /// default <see cref="ForkSafety.DefaultWaitForQuietThreads"/>. A busy machine does not
    /// make the guard refuse: only a thread that keeps running is waited for this long.
    /// </param>
    /// <returns><see cref="ForkResult.Parent"/> in the parent, <see cref="ForkResult.Child"/> in the child.</returns>
    /// <exception cref="ForkHazardException">A hazard was found.</exception>
    /// <exception cref="PosixException">fork failed (EAGAIN: process limit; ENOMEM), or the guard could not read /proc (EMFILE).</exception>
    public static ForkResult Fork(ForkHazards acceptedHazards = ForkHazards.None, TimeSpan? waitForQuietThreads = null)
    {
        ForkSafety.EnsureSafe(acceptedHazards, waitForQuietThreads);
        ReadOnlySpan<int> reset = ForwardedSignals.Value;
        int pid;
        unsafe
        {
            fixed (int* signals = reset)
            {
                pid = Errors.ThrowIfNegative(Interop.fork_with_default_signals(signals, reset.Length), "fork");
            }
        }

        return pid == 0 ? ForkResult.Child.Instance : new ForkResult.Parent(new Pid(pid));
    }

    /// <summary>
    /// Signals whose runtime handlers only forward them, through a pipe shared with the
    /// parent, to a signal-handling thread that does not exist in a forked child. The child
    /// gets their default actions back. Fault signals (SIGSEGV, ...) keep the runtime's
    /// handlers, which turn faults into exceptions; SIGPIPE stays ignored, so writes report EPIPE.
    /// </summary>
    private static readonly Lazy<int[]> ForwardedSignals = new(() =>
    [
        Signal.SIGHUP.Number, Signal.SIGINT.Number, Signal.SIGQUIT.Number, Signal.SIGTERM.Number,
        Signal.SIGCHLD.Number, Signal.SIGCONT.Number, Signal.SIGTSTP.Number,
        Signal.SIGWINCH.Number, Signal.SIGTTIN.Number, Signal.SIGTTOU.Number,
    ]);
}
