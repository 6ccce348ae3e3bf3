using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// The pool's one dispatcher thread. It forks every worker (so PR_SET_PDEATHSIG, which
/// fires when the forking THREAD exits, lasts exactly as long as the pool), hands tasks to
/// workers, reads the shared response ring, and watches for crashed and overdue workers.
/// </summary>
/// <remarks>
/// <para>It never dies of an exception: a worker that cannot be started is retried with
/// backoff (<see cref="WorkerStartBackoff"/>); anything else unexpected faults the pool with
/// that reason (<see cref="ProcessPoolFaultedException"/>), which every pending and later
/// task gets, and the thread still stops the workers and unmaps the rings.</para>
/// <para>Tasks queued to a worker but not started can be taken back (<see cref="TaskClaim"/>):
/// a cancelled one is dropped, and when a worker is idle while another has a queue, the queue
/// is taken back and shared out again, so pipelining never starves an idle worker.</para>
/// </remarks>
internal sealed partial class PoolDispatcher
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan UnblockDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a worker's current task must have run before an idle worker takes its queue: short tasks drain by themselves.</summary>
    private static readonly TimeSpan StealAfter = TimeSpan.FromMilliseconds(20);

    private readonly ProcessPoolOptions _options;
    private readonly DelegateTable _functions;
    private readonly IWorkerLauncher _launcher;
    private readonly FunctionDefinition? _initializer;
    private readonly SharedMemoryRegion _region;
    private readonly RingBuffer _responses;
    private readonly WorkerSlot[] _workers;
    private readonly ConcurrentQueue<PoolTask> _submitted = new();
    private readonly ConcurrentQueue<PoolTask> _cancelled = new();
    private readonly LinkedList<PoolTask> _pending = new();
    private readonly Dictionary<long, PoolTask> _byId = [];
    private readonly MessageAssembler[] _assemblers;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly WorkerStartBackoff _backoff = new();
    private readonly Lock _wakeGate = new();
    private volatile ProcessPoolFaultedException? _fault;
    private volatile IReadOnlyList<Pid> _pids = [];
    private volatile bool _terminate;
    private volatile bool _closed;
    private bool _pipelinesCancelled;
    private volatile bool _shutdown;
    private int _sleeping;
    private volatile bool _cancelPendingOnShutdown;
    private long _unblockAt = long.MaxValue;
    private long _lastProgress;
    private long _submittedCount;
    private long _completedCount;
    private long _failedCount;
    private long _workerStarts;

    public PoolDispatcher(ProcessPoolOptions options, DelegateTable functions, Func<Func<RingBuffer>, IWorkerLauncher> launcher, FunctionDefinition? initializer)
    {
        _options = options;
        _functions = functions;
        _launcher = launcher(() => _responses!);
        _initializer = initializer;
        long ringBytes = RingBuffer.RequiredLength(options.RingCapacity);
        _region = SharedMemoryRegion.Create(
            (ringBytes * (options.WorkerCount + 1)) + TaskClaim.RegionBytes(options.WorkerCount),
            new SharedMemoryOptions { Backing = _launcher.NeedsDescriptorRegion ? SharedMemoryBacking.Descriptor : SharedMemoryBacking.Anonymous });
        _responses = RingBuffer.Create(_region, options.RingCapacity, RingBufferProducers.Many, 0);
        _workers = new WorkerSlot[options.WorkerCount];
        _assemblers = new MessageAssembler[options.WorkerCount];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new WorkerSlot(i, RingBuffer.Create(_region, options.RingCapacity, RingBufferProducers.One, ringBytes * (i + 1)), new TaskClaim(_region, i));
            _assemblers[i] = new MessageAssembler();
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "PosixProcs pool dispatcher" };
    }

    public PoolProgress Progress => new(Interlocked.Read(ref _submittedCount), Interlocked.Read(ref _completedCount), Interlocked.Read(ref _failedCount), Interlocked.Read(ref _workerStarts), _backoff.TotalFailures);

    /// <summary>A snapshot the dispatcher publishes whenever a worker starts or ends, so other threads never read its slots.</summary>
    public IReadOnlyList<Pid> WorkerPids => _pids;

    /// <summary>Why the pool stopped for good, if it did.</summary>
    public ProcessPoolFaultedException? Failure => _fault;

    public Task Stopped => _stopped.Task;

    /// <summary>Starts the thread and waits until every worker has been forked.</summary>
    /// <exception cref="PosixException">pthread_create: EAGAIN: the dispatcher thread could not be created.</exception>
    /// <exception cref="WorkerStartException">The dispatcher thread could not start because this process is out of descriptors (EMFILE).</exception>
    public void Start()
    {
        try
        {
            _thread.Start();
        }
        catch (OutOfMemoryException ex)
        {
            // .NET reports a thread that could not start as OutOfMemoryException: pthread_create
            // failed (EAGAIN, its one resource error in POSIX: RLIMIT_NPROC, threads-max, a
            // cgroup's pids.max), or the new thread's set-up in the runtime found no descriptor
            // left (measured under ulimit -n 64). A probe tells them apart. Nothing was started:
            // the launcher starts on the dispatcher thread, which never ran, so only the region
            // the constructor made is released (disposing the launcher would load assemblies,
            // which out of descriptors fails in its turn).
            _region.Dispose();
            Exception explained = WorkerStartFailure.Explain(ex);
            throw explained != ex ? explained : new PosixException("pthread_create", PosixErrno.EAGAIN);
        }

        _started.Task.GetAwaiter().GetResult();
    }

    public void Submit(PoolTask task)
    {
        if (_fault is { } fault)
        {
            Interlocked.Increment(ref _submittedCount);
            Fail(task, fault);
            return;
        }

        if (_shutdown)
        {
            throw new ObjectDisposedException(nameof(ProcessPool), "The pool is shutting down.");
        }

        Interlocked.Increment(ref _submittedCount);
        if (task.CancellationToken.CanBeCanceled)
        {
            task.CancellationRegistration = task.CancellationToken.Register(() =>
            {
                _cancelled.Enqueue(task);
                WakeIfSleeping();
            });
        }

        _submitted.Enqueue(task);
        if (_closed)
        {
            FailSubmitted(); // the dispatcher stopped between the checks above and the queue
            return;
        }

        WakeIfSleeping();
    }

    /// <summary>
    /// Cancels <paramref name="task"/> without killing its worker: dropped if not started yet;
    /// if running, it finishes and is then reported cancelled (see <see cref="PoolTask.LetRunningFinish"/>).
    /// </summary>
    public void Withdraw(PoolTask task)
    {
        if (task.IsFinished)
        {
            return;
        }

        task.LetRunningFinish = true;
        _cancelled.Enqueue(task);
        WakeIfSleeping();
    }

    /// <summary>Close, ShutdownAsync or TerminateAsync was called: no new work is taken.</summary>
    public bool IsShuttingDown => _shutdown;

    public void Shutdown(bool cancelPending)
    {
        _cancelPendingOnShutdown |= cancelPending;
        _shutdown = true;
        Wake();
    }

    /// <summary>Stops at once: kills every worker, cancels every task not finished.</summary>
    public void Terminate()
    {
        _terminate = true;
        _cancelPendingOnShutdown = true;
        _shutdown = true;
        Wake();
    }

    /// <summary>A record on the response ring, which the dispatcher sleeps on, wakes it (never after the rings are unmapped).</summary>
    private void Wake()
    {
        lock (_wakeGate)
        {
            if (!_closed)
            {
                _responses.TryWrite(MessageFrames.Wake, [0, 0, 0, 0]);
            }
        }
    }

    /// <summary>
    /// Wakes the dispatcher only if it is about to sleep: a submitter stores its task, then
    /// reads the flag; the dispatcher stores the flag, then looks at the queues. With a full
    /// fence on both sides, at least one of them sees the other, so no task is left waiting
    /// and a busy dispatcher costs submitters no ring write.
    /// </summary>
    private void WakeIfSleeping()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sleeping) != 0)
        {
            Wake();
        }
    }

    private void Loop()
    {
        RingRecordHandler onRecord = OnResponseRecord;
        long nextHealth = 0;
        while (true)
        {
            TakeSubmissions();
            HandleCancellations();
            if (_terminate)
            {
                TerminateAll();
            }

            StartMissingWorkers();
            if (_fault is not null)
            {
                return;
            }

            Assign();
            Rebalance();
            if (_shutdown && _pending.Count == 0 && _workers.All(w => w.IsIdle))
            {
                return;
            }

            TimeSpan wait = WaitTime();
            if (wait > TimeSpan.Zero)
            {
                Interlocked.Exchange(ref _sleeping, 1); // a full fence: see WakeIfSleeping
                if (!_submitted.IsEmpty || !_cancelled.IsEmpty || _terminate)
                {
                    wait = TimeSpan.Zero;
                }
            }

            _responses.Read(onRecord, wait, maxRecords: 256);
            Volatile.Write(ref _sleeping, 0);
            long now = Environment.TickCount64;
            if (now >= nextHealth)
            {
                CheckWorkers(now);
                nextHealth = now + (long)HealthInterval.TotalMilliseconds;
            }

            ReportProgress(now, force: false);
        }
    }

    private TimeSpan WaitTime()
    {
        if (!_submitted.IsEmpty || !_cancelled.IsEmpty)
        {
            return TimeSpan.Zero;
        }

        long wait = (long)HealthInterval.TotalMilliseconds;
        if (_workers.Any(w => w.Process is null) && !(_shutdown && _pending.Count == 0))
        {
            wait = Math.Min(wait, Math.Max(0, _backoff.NextAttemptAt - Environment.TickCount64));
        }

        if (_options.TaskTimeout is TimeSpan timeout)
        {
            long now = Environment.TickCount64;
            foreach (WorkerSlot worker in _workers)
            {
                if (RunningSince(worker, now) is long started)
                {
                    wait = Math.Min(wait, Math.Max(0, started + (long)timeout.TotalMilliseconds - now));
                }
            }
        }

        return TimeSpan.FromMilliseconds(wait);
    }

    private void TakeSubmissions()
    {
        while (_submitted.TryDequeue(out PoolTask? task))
        {
            if (_shutdown && _cancelPendingOnShutdown)
            {
                Cancel(task);
                continue;
            }

            _pending.AddLast(task);
        }

        if (_shutdown && _cancelPendingOnShutdown)
        {
            while (_pending.First is { } first)
            {
                _pending.RemoveFirst();
                Cancel(first.Value);
            }

            if (!_pipelinesCancelled)
            {
                // Queued in a worker's ring but not started: taken back, so they never run.
                _pipelinesCancelled = true;
                foreach (WorkerSlot worker in _workers)
                {
                    foreach (PoolTask task in TakeBackUnstarted(worker))
                    {
                        Cancel(task);
                    }
                }
            }
        }
    }

    private void HandleCancellations()
    {
        while (_cancelled.TryDequeue(out PoolTask? task))
        {
            if (task.IsFinished)
            {
                continue;
            }

            task.CancelRequested = true;
            if (_pending.Remove(task))
            {
                Cancel(task);
                continue;
            }

            WorkerSlot? running = _workers.FirstOrDefault(w => w.Assigned.TryPeek(out PoolTask? head) && head == task);
            if (running is not null && task.LetRunningFinish)
            {
                // Withdrawn while running: it finishes, and its result is dropped on arrival.
                continue;
            }

            if (running is not null)
            {
                // A running task is stopped the only way a process can be: its worker is killed.
                running.KilledBecause = new OperationCanceledException(task.CancellationToken);
                running.Process?.Kill();
            }
            else if (_workers.FirstOrDefault(w => w.Assigned.Contains(task)) is { } holder)
            {
                // Queued in a worker's ring: take its queue back so it never runs, and give
                // the others back to the pool. If it started meanwhile, its result is dropped.
                List<PoolTask> taken = TakeBackUnstarted(holder);
                bool takenBack = taken.Remove(task);
                Requeue(taken);
                if (takenBack || !task.LetRunningFinish)
                {
                    Cancel(task);
                }

                // else: it started meanwhile and was withdrawn, not cancelled: it finishes, and
                // its result is dropped on arrival.
            }
            else
            {
                Cancel(task);
            }
        }
    }

    private void Assign()
    {
        LinkedListNode<PoolTask>? node = _pending.First;
        while (node is not null)
        {
            LinkedListNode<PoolTask>? next = node.Next;
            PoolTask task = node.Value;
            WorkerSlot? worker = ChooseWorker(task);
            if (worker is null)
            {
                if (!_workers.Any(w => HasRoom(w)))
                {
                    return; // every worker is full; keep the order
                }

                node = next;
                continue;
            }

            _pending.Remove(node);
            try
            {
                Send(worker, task);
            }
            catch
            {
                // Whatever failed (a definition that could not be encoded faults the pool), the
                // task must be where Fault finds it: a task held only here would never complete.
                if (!worker.Assigned.Contains(task))
                {
                    _pending.AddFirst(task);
                }

                throw;
            }

            node = next;
        }
    }

    private bool HasRoom(WorkerSlot worker) =>
        worker.Process is not null && !worker.Retiring && worker.Assigned.Count < _options.PipelineDepth &&
        (_options.MaxTasksPerWorker == 0 || worker.TasksHanded < _options.MaxTasksPerWorker);

    private WorkerSlot? ChooseWorker(PoolTask task)
    {
        WorkerSlot? best = null;
        foreach (WorkerSlot worker in _workers)
        {
            if (HasRoom(worker) && Knows(worker, task.DelegateId) && (best is null || worker.Assigned.Count < best.Assigned.Count))
            {
                best = worker;
            }
        }

        if (best is not null)
        {
            return best;
        }

        // No worker knows this function yet (a closure made after they were forked):
        // fork an idle one again, so that it sees the closure and what it captured.
        WorkerSlot? stale = _workers.FirstOrDefault(w => w.Process is not null && w.IsIdle && !w.Retiring && !Knows(w, task.DelegateId));
        if (stale is not null)
        {
            Recycle(stale); // the task waits for the new worker; the dispatcher does not
        }

        return null;
    }

    /// <summary>A forked worker knows the functions that existed at its fork; others learn any function by message.</summary>
    private bool Knows(WorkerSlot worker, int delegateId) => !_launcher.FunctionsComeFromFork || worker.KnownDelegates > delegateId;

    private void Send(WorkerSlot worker, PoolTask task)
    {
        if (!_launcher.FunctionsComeFromFork && worker.Defined.Add(task.DelegateId))
        {
            SendDefinition(worker, task.Function.Definition
                ?? throw new InvalidOperationException($"Function {task.DelegateId} has no definition: the pool's workers are forked."));
        }

        task.WorkerSequence = ++worker.SentSequence;
        task.StartedAt = 0;
        Span<byte> header = stackalloc byte[WorkerLoop.RequestHeaderLength];
        BinaryPrimitives.WriteInt64LittleEndian(header, task.Id);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], task.DelegateId);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], task.WorkerSequence);
        if (worker.IsIdle)
        {
            worker.HeadStartedAt = Environment.TickCount64;
        }

        worker.Assigned.Enqueue(task);
        worker.TasksHanded++;
        _byId[task.Id] = task;
        int sent = 0;
        while (!MessageFrames.Write(worker.Requests, [], header, task.Argument, ref sent, HealthInterval))
        {
            // The worker's ring is full of queued work; meanwhile keep answering results so
            // the worker can make progress, and notice if it died or ran over its time.
            IWorkerProcess? process = worker.Process;
            _responses.Read(OnResponseRecord, TimeSpan.Zero, maxRecords: 256);
            CheckWorkers(Environment.TickCount64);
            if (worker.Process is null || worker.Process != process)
            {
                return; // it died: its tasks, this one included, went back to the queue
            }

            if (_terminate && worker.KilledBecause is null)
            {
                worker.KilledBecause = new OperationCanceledException("The pool was terminated.");
                process.Kill();
            }
        }
    }

    private void SendDefinition(WorkerSlot worker, FunctionDefinition definition)
    {
        Span<byte> header = stackalloc byte[WorkerLoop.RequestHeaderLength];
        BinaryPrimitives.WriteInt64LittleEndian(header, WorkerLoop.DefinitionTaskId);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], definition.Id);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(definition, PoolJsonContext.Default.FunctionDefinition);
        int sent = 0;
        if (!MessageFrames.Write(worker.Requests, [], header, json, ref sent, StopGrace))
        {
            throw new TimeoutException($"Worker {worker.Process?.Pid} did not take a function definition within {StopGrace.TotalSeconds} s.");
        }
    }

    private void OnResponseRecord(int type, ReadOnlySpan<byte> payload)
    {
        if (type == MessageFrames.Wake)
        {
            return;
        }

        int slot = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if (type == MessageFrames.Ready)
        {
            _workers[slot].Ready = true;
            _workers[slot].HeadStartedAt = Environment.TickCount64;
            return;
        }

        MessageAssembler assembler = _assemblers[slot];
        if (!assembler.Add(type, payload[4..]))
        {
            return;
        }

        ReadOnlySpan<byte> message = assembler.Message;
        long taskId = BinaryPrimitives.ReadInt64LittleEndian(message);
        bool faulted = message[8] != 0;
        WorkerSlot worker = _workers[slot];
        if (!_byId.Remove(taskId, out PoolTask? task))
        {
            return; // an answer from a worker already written off
        }

        if (worker.Assigned.TryPeek(out PoolTask? head) && head == task)
        {
            worker.Assigned.Dequeue();
            worker.HeadStartedAt = Environment.TickCount64;
        }

        byte[] body = message[9..].ToArray();
        if (task.CancelRequested || task.IsFinished)
        {
            Cancel(task);
        }
        else if (faulted)
        {
            ChildFault fault = JsonSerializer.Deserialize(body, PoolJsonContext.Default.ChildFault)!;
            Fail(task, new TaskFaultedException(fault));
        }
        else
        {
            Interlocked.Increment(ref _completedCount);
            task.CancellationRegistration.Dispose();
            task.Completion.TrySetResult(body);
        }

        if (worker.IsIdle && _options.MaxTasksPerWorker > 0 && worker.TasksHanded >= _options.MaxTasksPerWorker)
        {
            Recycle(worker);
        }
    }

    private void CheckWorkers(long now)
    {
        foreach (WorkerSlot worker in _workers)
        {
            if (worker.Process is not { } process)
            {
                continue;
            }

            WaitStatus status = process.Poll();
            if (status.HasEnded)
            {
                WorkerDied(worker, status);
                continue;
            }

            if (worker.Retiring && now >= worker.RetireDeadline)
            {
                worker.RetireDeadline = long.MaxValue; // told to stop and did not: killed once
                process.Kill();
                continue;
            }

            if (!worker.Ready && worker.KilledBecause is null && now - worker.LaunchedAt > (long)_options.WorkerStartTimeout.TotalMilliseconds)
            {
                worker.KilledBecause = new WorkerStartTimeoutException(process.Pid, _options.WorkerStartTimeout);
                process.Kill();
                continue;
            }

            if (_options.TaskTimeout is TimeSpan timeout && worker.KilledBecause is null && RunningSince(worker, now) is long started &&
                now - started > (long)timeout.TotalMilliseconds)
            {
                worker.KilledBecause = new TimeoutException($"The task ran longer than {timeout.TotalSeconds:0.###} s; its worker {process.Pid} was killed and replaced.");
                process.Kill();
            }
        }

        if (now >= _unblockAt)
        {
            // A worker that died between claiming a record and publishing it would stop the
            // response ring for everybody; by now a live producer would have published.
            _responses.Unblock();
            _unblockAt = long.MaxValue;
        }
    }

    private void WorkerDied(WorkerSlot worker, WaitStatus status)
    {
        // What the worker published before it died counts: read it first, so that a task it
        // finished, whose result the dispatcher had not read yet (it lags on a loaded machine),
        // is not taken for the task that was running when it died. Its records precede anything
        // published after its death, so a few passes reach them even with other workers busy.
        for (int pass = 0; pass < 64 && _responses.TryRead(OnResponseRecord, 256) > 0; pass++)
        {
        }

        IWorkerProcess process = worker.Process!;
        Exception? killedBecause = worker.KilledBecause;
        Exception? setupFault = process.SetupFault;
        Exception? endedBy = process.EndedBy;
        process.Dispose();
        worker.Process = null;
        _assemblers[worker.Index].Reset();
        _unblockAt = Environment.TickCount64 + (long)UnblockDelay.TotalMilliseconds;

        var requeue = new List<PoolTask>();
        bool first = true;
        while (worker.Assigned.TryDequeue(out PoolTask? task))
        {
            _byId.Remove(task.Id);
            if (task.IsFinished)
            {
                continue;
            }

            if (task.CancelRequested)
            {
                Cancel(task); // withdrawn while it ran: it is not run again
                first = false;
                continue;
            }

            // Only the task at the front can have caused the death; a death from outside (the
            // fork server died) is none of its doing either, and costs it no attempt, unless
            // the pool was killing the worker for it anyway (a timeout, a cancellation).
            if (first && !worker.Retiring && killedBecause is not WorkerStartTimeoutException && (endedBy is null || killedBecause is not null))
            {
                task.Attempts++;
                if (killedBecause is OperationCanceledException)
                {
                    Cancel(task);
                }
                else if (killedBecause is not null)
                {
                    Fail(task, killedBecause);
                }
                else if (setupFault is not null)
                {
                    Fail(task, setupFault);
                }
                else if (task.Attempts <= _options.MaxRetries)
                {
                    requeue.Add(task);
                }
                else
                {
                    Fail(task, new WorkerCrashedException(process.Pid, status, task.Attempts));
                }
            }
            else
            {
                requeue.Add(task);
            }

            first = false;
        }

        for (int i = requeue.Count - 1; i >= 0; i--)
        {
            _pending.AddFirst(requeue[i]);
        }

        PublishPids(); // the slot stays empty until StartMissingWorkers, which paces retries
    }

    /// <summary>
    /// Asks an idle worker to stop, to be replaced once it has (MaxTasksPerWorker, or a
    /// fork-time closure under Fork). The dispatcher does not wait: the worker gets no new
    /// tasks meanwhile, and one that has not exited by <see cref="StopGrace"/> is killed.
    /// </summary>
    private static void Recycle(WorkerSlot worker)
    {
        worker.Retiring = true;
        worker.RetireDeadline = Environment.TickCount64 + (long)StopGrace.TotalMilliseconds;
        if (!worker.Requests.TryWrite(MessageFrames.Stop, []))
        {
            worker.RetireDeadline = long.MaxValue;
            worker.Process!.Kill();
        }
    }

    private void StartWorker(WorkerSlot worker)
    {
        long ringBytes = RingBuffer.RequiredLength(_options.RingCapacity);
        worker.Requests = RingBuffer.Create(_region, _options.RingCapacity, RingBufferProducers.One, ringBytes * (worker.Index + 1));
        worker.Claim.Reset();
        worker.SentSequence = 0;
        worker.Retiring = false;
        worker.Ready = false;
        worker.KilledBecause = null;
        worker.TasksHanded = 0;
        worker.Assigned.Clear();
        worker.Defined.Clear();
        IWorkerProcess process = _launcher.Launch(worker);

        // The start-up limit is the child's: time the parent spent forking (waiting for quiet
        // threads, asking the fork server) does not count.
        worker.LaunchedAt = Environment.TickCount64;
        Interlocked.Increment(ref _workerStarts);
        try
        {
            if (_initializer is not null)
            {
                SendDefinition(worker, _initializer);
            }
        }
        catch
        {
            process.Dispose(); // kills and reaps it: a worker that cannot be set up does not stay
            throw;
        }

        worker.Process = process;
    }

    private void PublishPids() => _pids = _workers.Select(w => w.Process?.Pid ?? default).Where(p => p.Value > 0).ToArray();

    private void Cancel(PoolTask task)
    {
        if (task.Completion.TrySetCanceled(task.CancellationToken.IsCancellationRequested ? task.CancellationToken : new CancellationToken(true)))
        {
            Interlocked.Increment(ref _failedCount);
        }

        task.CancellationRegistration.Dispose();
    }

    private void Fail(PoolTask task, Exception ex)
    {
        if (task.Completion.TrySetException(ex))
        {
            Interlocked.Increment(ref _failedCount);
        }

        task.CancellationRegistration.Dispose();
    }

    private void ReportProgress(long now, bool force)
    {
        if (_options.Progress is not { } progress || (!force && now - _lastProgress < ProgressInterval.TotalMilliseconds))
        {
            return;
        }

        _lastProgress = now;
        progress.Report(Progress);
    }
}
