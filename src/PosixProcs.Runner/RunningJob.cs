namespace PosixProcs.Runner;

/// <summary>
/// A job's process while it runs. Each job leads its own process group (its pid is the
/// group id), so a signal reaches everything it started: <c>sh -c 'a &amp; b'</c> ends whole.
/// </summary>
internal sealed class RunningJob(ChildProcess child, Task exited)
{
    private readonly Lock _gate = new();
    private Task? _ending;

    public ChildProcess Child { get; } = child;

    /// <summary>The ending started by <see cref="End"/>, if any: the job is not over until it is.</summary>
    public Task? Ending
    {
        get
        {
            lock (_gate)
            {
                return _ending;
            }
        }
    }

    /// <summary>
    /// Signals the job's process group. A group with no member left is ESRCH, which is fine:
    /// there is nothing to end. While any member lives the kernel does not give the group's id
    /// to a new process, so the signal cannot reach a stranger.
    /// </summary>
    public void SignalGroup(Signal signal)
    {
        try
        {
            Posix.KillProcessGroup(Child.Pid, signal);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ESRCH)
        {
            // Every member has exited.
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the group, then SIGKILL to whatever is left once the
    /// leader has exited or <paramref name="grace"/> has passed: a background process that
    /// ignores the signal (sh starts background jobs with SIGINT ignored) is not left behind.
    /// A second call forwards its signal too; the ending already under way stays.
    /// </summary>
    public void End(Signal signal, TimeSpan grace)
    {
        lock (_gate)
        {
            if (_ending is not null)
            {
                SignalGroup(signal);
                return;
            }

            _ending = EndAsync(signal, grace);
        }
    }

    private async Task EndAsync(Signal signal, TimeSpan grace)
    {
        SignalGroup(signal);
        if (!exited.IsCompleted)
        {
            using var timer = new CancellationTokenSource();
            Task late = Task.Delay(grace, timer.Token);
            await Task.WhenAny(exited, late).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
        }

        SignalGroup(Signal.SIGKILL);
    }
}
