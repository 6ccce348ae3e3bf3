namespace PosixProcs.Pool;

/// <summary>A running worker, however it was started: the dispatcher's handle on it.</summary>
internal interface IWorkerProcess : IDisposable
{
    Pid Pid { get; }

    /// <summary>The status if it has ended (reaped), else <see cref="WaitStatus.StillRunning"/>.</summary>
    WaitStatus Poll();

    /// <summary>A fault the worker reported while setting up (its initializer threw), once ended.</summary>
    Exception? SetupFault { get; }

    /// <summary>
    /// Why it ended through no doing of its own or of its tasks (its fork server died), once
    /// ended; null otherwise. Its tasks run again without counting an attempt.
    /// </summary>
    Exception? EndedBy { get; }

    void Kill();

    /// <summary>Waits for it to end; false if it still runs after <paramref name="timeout"/>.</summary>
    bool WaitForExit(TimeSpan timeout);
}

/// <summary>A worker that is this process's child (Fork and Spawn).</summary>
internal sealed class ChildWorker(ChildProcess process) : IWorkerProcess
{
    public Pid Pid => process.Pid;

    public Exception? SetupFault => process.Fault;

    public Exception? EndedBy => null;

    public WaitStatus Poll()
    {
        try
        {
            return process.TryWait();
        }
        catch (ChildProcessException ex)
        {
            return ex.Status;
        }
    }

    public void Kill() => process.Kill();

    public bool WaitForExit(TimeSpan timeout)
    {
        try
        {
            return process.Wait(timeout);
        }
        catch (ChildProcessException)
        {
            return true;
        }
    }

    public void Dispose() => process.Dispose();
}
