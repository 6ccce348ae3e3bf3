using System.Runtime.CompilerServices;

namespace PosixProcs.Pool;

/// <summary>
/// The dispatcher's life and failures: starting up, filling empty slots with backoff,
/// faulting the pool when no worker can be started or something unexpected happens,
/// terminating, and stopping every worker whatever happened before.
/// </summary>
internal sealed partial class PoolDispatcher
{
    private void Run()
    {
        var stopErrors = new List<Exception>();
        Exception? startFailure = null;
        try
        {
            startFailure = StartUp();
            if (startFailure is null)
            {
                Loop();
            }
        }
#pragma warning disable CA1031 // The dispatcher must never die of an exception: the pool faults with it as the reason, and every task gets it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fault(ex);
        }
        finally
        {
            Guarded(stopErrors, StopAll);
            Guarded(stopErrors, _launcher.Dispose);
            Guarded(stopErrors, () => ReportProgress(Environment.TickCount64, force: true));
            lock (_wakeGate)
            {
                _closed = true;
            }

            Guarded(stopErrors, _region.Dispose);
            FailSubmitted();

            // A failed start is reported only now, after every process it started was reaped.
            _started.TrySetException(startFailure ?? _fault ?? new ProcessPoolFaultedException(new InvalidOperationException("The pool stopped while starting.")));
            if (stopErrors.Count > 0)
            {
                _stopped.TrySetException(new AggregateException("The pool could not stop cleanly.", stopErrors));
            }
            else
            {
                _stopped.TrySetResult();
            }
        }
    }

    /// <summary>Runs one step of stopping; an error is kept for <see cref="Stopped"/> and the next step still runs.</summary>
    private static void Guarded(List<Exception> errors, Action step)
    {
        try
        {
            step();
        }
#pragma warning disable CA1031 // Collected and raised from Stopped: each stopping step must run whatever the one before did.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            errors.Add(ex);
        }
    }

    /// <summary>Starts the launcher and every worker; returns null, or why it could not (Start throws it once everything is stopped).</summary>
    private Exception? StartUp()
    {
        try
        {
            // The dispatcher encodes definitions and decodes workers' faults with this context
            // later; its first use loads assemblies, which needs descriptors. Loaded now, a
            // process out of descriptors fails Start with the reason instead of faulting the
            // pool at its first task.
            RuntimeHelpers.RunClassConstructor(typeof(PoolJsonContext).TypeHandle);
            _launcher.Start(_region);
            foreach (WorkerSlot worker in _workers)
            {
                StartWorker(worker);
            }

            PublishPids();
            _started.TrySetResult();
            return null;
        }
#pragma warning disable CA1031 // Handed to the thread that called Start, which throws it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return WorkerStartFailure.Explain(ex);
        }
    }

    /// <summary>Terminate: every task not finished is cancelled, every worker killed; nothing is restarted.</summary>
    private void TerminateAll()
    {
        var reason = new OperationCanceledException("The pool was terminated.");
        while (_pending.First is { } first)
        {
            _pending.RemoveFirst();
            Cancel(first.Value);
        }

        foreach (WorkerSlot worker in _workers)
        {
            while (worker.Assigned.TryDequeue(out PoolTask? task))
            {
                Cancel(task);
            }

            if (worker.Process is { } process && worker.KilledBecause is null)
            {
                worker.KilledBecause = reason;
                process.Kill();
            }
        }

        _byId.Clear();
    }

    /// <summary>Fills empty slots, paced by <see cref="WorkerStartBackoff"/>; gives up (faults the pool) when no worker can be started.</summary>
    private void StartMissingWorkers()
    {
        if (_shutdown && _pending.Count == 0)
        {
            return;
        }

        foreach (WorkerSlot worker in _workers)
        {
            if (worker.Process is not null || _fault is not null || !_backoff.MayAttempt(Environment.TickCount64))
            {
                continue;
            }

            try
            {
                StartWorker(worker);
                _backoff.Succeeded();
            }
#pragma warning disable CA1031 // Any failure to start a worker is retried with backoff, then becomes the pool's fault: never the dispatcher's death.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (_backoff.Failed(Environment.TickCount64) && _workers.All(w => w.Process is null))
                {
                    Fault(WorkerStartFailure.Explain(ex));
                }
            }

            PublishPids();
        }
    }

    /// <summary>Stops every worker: a stop request to all, one shared grace period, then SIGKILL; every worker is reaped.</summary>
    private void StopAll()
    {
        long deadline = Environment.TickCount64 + (long)StopGrace.TotalMilliseconds;
        foreach (WorkerSlot worker in _workers)
        {
            if (worker.Process is { } process)
            {
                if (_terminate)
                {
                    process.Kill();
                }
                else
                {
                    worker.Requests.TryWrite(MessageFrames.Stop, []);
                }
            }
        }

        foreach (WorkerSlot worker in _workers)
        {
            if (worker.Process is { } process)
            {
                if (!process.WaitForExit(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64))))
                {
                    process.Kill();
                }

                worker.Process = null;
                process.Dispose(); // reaps it (a bounded wait after the kill)
            }
        }

        PublishPids();
    }

    /// <summary>The pool stops for good: every task not finished fails with the reason, and so does every later call.</summary>
    private void Fault(Exception reason)
    {
        if (_fault is not null)
        {
            return;
        }

        ProcessPoolFaultedException fault = reason as ProcessPoolFaultedException ?? new ProcessPoolFaultedException(reason);
        _fault = fault;
        foreach (PoolTask task in _pending.Concat(_workers.SelectMany(w => w.Assigned)))
        {
            Fail(task, fault);
        }

        _pending.Clear();
        foreach (WorkerSlot worker in _workers)
        {
            worker.Assigned.Clear();
        }

        _byId.Clear();
        FailSubmitted();
    }

    /// <summary>Fails what was submitted after the dispatcher stopped taking submissions.</summary>
    private void FailSubmitted()
    {
        while (_submitted.TryDequeue(out PoolTask? task))
        {
            Fail(task, _fault ?? (Exception)new ObjectDisposedException(nameof(ProcessPool), "The pool has stopped."));
        }
    }
}
