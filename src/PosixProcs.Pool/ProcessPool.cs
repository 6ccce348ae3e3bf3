namespace PosixProcs.Pool;

/// <summary>
/// A pool of worker processes for CPU-parallel work: what Python's
/// <c>multiprocessing.Pool</c> and <c>ProcessPoolExecutor</c> do, with crash isolation
/// (a worker that dies fails only its task and is replaced), hard timeouts (a task over
/// time has its worker killed), and closures that work as they are (workers are forked).
/// </summary>
/// <remarks>
/// <para>Workers are forked from this process, so they share its code and its memory as it
/// was at the fork: a closure and everything it captured works without serialization,
/// which Python's pickling cannot do. Arguments and results cross through shared-memory
/// rings: unmanaged values as raw bytes, others as JSON (see <see cref="ProcessPoolOptions.Serializer"/>).</para>
/// <para>A delegate that the workers have not seen (a closure created after they were
/// forked) makes the pool fork an idle worker again before it runs it. Reuse one delegate
/// for many tasks (a static lambda, a cached delegate, or one map call) to pay that once.</para>
/// <para>Forking needs the runtime switches of build/PosixProcs.Posix.props and a quiet
/// moment: the pool forks on its own dispatcher thread, and retries for a few seconds if
/// another thread of this process is running managed code (see <see cref="ForkSafety"/>).</para>
/// <para>Workers die with the pool: PR_SET_PDEATHSIG on Linux, and a parent check every
/// idle second everywhere. Dispose (or <see cref="ShutdownAsync(bool)"/>) waits for submitted work,
/// stops the workers and unmaps the rings; <see cref="ShutdownAsync(TimeSpan)"/> and
/// <see cref="ProcessPoolOptions.DisposeGracePeriod"/> bound that wait, and
/// <see cref="TerminateAsync"/> stops at once.</para>
/// </remarks>
public sealed partial class ProcessPool : IAsyncDisposable, IDisposable
{
    private readonly ProcessPoolOptions _options;
    private readonly DelegateTable _functions;
    private readonly PoolDispatcher _dispatcher;
    private long _nextTaskId;
    private int _disposed;

    private ProcessPool(ProcessPoolOptions options)
    {
        _options = options;
        bool forked = options.StartMethod == StartMethod.Fork;
        _functions = new DelegateTable(needsDefinitions: !forked);
        (Action? forkInitializer, FunctionDefinition? initializer) = Initializers(options, forked);
        _dispatcher = new PoolDispatcher(options, _functions, responses => options.StartMethod switch
        {
            StartMethod.Fork => new ForkLauncher(options, _functions, responses, forkInitializer),
            StartMethod.Spawn => new SpawnLauncher(options),
            StartMethod.ForkServer => new ForkServerLauncher(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.StartMethod, "Unknown start method."),
        }, initializer);
    }

    /// <summary>
    /// The workers' initializer: under Fork a delegate the child runs, otherwise a definition
    /// sent to each worker. Arguments are serialized here, once, so a type that cannot cross
    /// fails Start, and every worker gets the same bytes.
    /// </summary>
    private static (Action? Forked, FunctionDefinition? Sent) Initializers(ProcessPoolOptions options, bool forked)
    {
        const int InitializerId = -2;
        IPoolSerializer serializer = options.Serializer;
        if (options.InitializerWithArguments is { } withArguments)
        {
            if (options.Initializer is not null)
            {
                throw new ArgumentException("Set Initializer or InitializerWithArguments, not both.", nameof(options));
            }

            byte[] arguments = withArguments.SerializeArguments(serializer);
            return forked
                ? (withArguments.Bind(serializer, arguments), null)
                : (null, FunctionDefinition.Create(InitializerId, FunctionKind.Initializer, withArguments.Function, serializer, withArguments.ArgumentTypes) with { InitializerArguments = arguments });
        }

        if (options.Initializer is not { } initializer)
        {
            return (null, null);
        }

        return forked ? (initializer, null) : (null, FunctionDefinition.Create(InitializerId, FunctionKind.Initializer, initializer, serializer));
    }

    /// <summary>The pool's counts now.</summary>
    public PoolProgress Progress => _dispatcher.Progress;

    /// <summary>The pids of the workers running now (they change as workers are replaced).</summary>
    public IReadOnlyList<Pid> WorkerPids => _dispatcher.WorkerPids;

    /// <summary>Starts a pool: forks its workers and returns when all are running.</summary>
    /// <param name="options">Workers, timeouts, retries, serializer; defaults if null.</param>
    /// <returns>The running pool.</returns>
    /// <remarks>
    /// Once started, the pool's host survives whatever its workers and its fork server do: a
    /// worker that dies has its task run again, up to <see cref="ProcessPoolOptions.MaxRetries"/>
    /// times, then failed with <see cref="WorkerCrashedException"/>, and is replaced; a fork
    /// server that dies is replaced, and its workers' tasks run again without counting a retry; a worker that cannot be started (a refused fork, <c>fork: EAGAIN</c>, EMFILE)
    /// is retried with backoff, and if none can be started the pool faults with that reason
    /// (<see cref="Fault"/>, <see cref="ProcessPoolFaultedException"/> for every task).
    /// </remarks>
    /// <exception cref="ForkHazardException">This process cannot fork safely (see <see cref="ForkSafety"/>).</exception>
    /// <exception cref="PosixException">A system call failed (fork, mmap, spawn: EAGAIN, EMFILE...).</exception>
    /// <exception cref="WorkerStartException">A worker could not start because this process is out of descriptors (EMFILE), which .NET reported as another error.</exception>
    /// <exception cref="ForkServerException">The fork server died or stopped answering while the first workers started.</exception>
    public static ProcessPool Start(ProcessPoolOptions? options = null)
    {
        WorkerStartFailure.Prepare();
        ProcessPool pool;
        try
        {
            pool = new ProcessPool(options ?? new ProcessPoolOptions());
        }
        catch (Exception ex) when (WorkerStartFailure.Explain(ex) is var explained && explained != ex)
        {
            // Making the launcher loads the assemblies it uses (PosixProcs for the fork server):
            // out of descriptors that fails as FileNotFoundException, which is not the cause.
            throw explained;
        }

        pool._dispatcher.Start();
        return pool;
    }

    /// <summary>Runs <paramref name="function"/> in a worker.</summary>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="function">The work; a closure works as it is.</param>
    /// <param name="cancellationToken">Cancels the task: a queued task never runs, a running one has its worker killed.</param>
    /// <returns>The result.</returns>
    /// <exception cref="TaskFaultedException">The function threw (type, message and stack come back as text).</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="TimeoutException">It ran over <see cref="ProcessPoolOptions.TaskTimeout"/>.</exception>
    /// <exception cref="ForkServerException">The fork server died while it ran (its worker died with it).</exception>
    /// <exception cref="ProcessPoolFaultedException">The pool has stopped for good; the inner exception says why.</exception>
    /// <exception cref="PoolSerializationException">The result's type cannot cross with the pool's serializer.</exception>
    /// <exception cref="ObjectDisposedException">The pool is shut down (thrown at once).</exception>
    public Task<TResult> SubmitAsync<TResult>(Func<TResult> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        IPoolSerializer serializer = _options.Serializer;
        DelegateTable.Entry entry = _functions.Register(function, _ => serializer.Serialize(function()),
            id => FunctionDefinition.Create(id, FunctionKind.Nullary, function, serializer, typeof(TResult)));
        return Decode<TResult>(Enqueue(entry, [], cancellationToken));
    }

    /// <summary>Runs <paramref name="function"/> on <paramref name="argument"/> in a worker; the argument crosses by the serializer.</summary>
    /// <typeparam name="TArg">The argument's type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="function">The work.</param>
    /// <param name="argument">Its argument.</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <returns>The result.</returns>
    /// <exception cref="PoolSerializationException">The argument's type cannot cross with the pool's serializer (thrown at once).</exception>
    /// <exception cref="ProcessPoolFaultedException">The pool has stopped for good; the inner exception says why.</exception>
    public Task<TResult> SubmitAsync<TArg, TResult>(Func<TArg, TResult> function, TArg argument, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        DelegateTable.Entry entry = RegisterUnary(function);
        return Decode<TResult>(Enqueue(entry, _options.Serializer.Serialize(argument), cancellationToken));
    }

    /// <summary>
    /// Applies <paramref name="function"/> to every item in workers, in chunks, and returns
    /// the results in input order (Pool.map).
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task; default as Python's: items / (4 × workers), at least 1.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    public async Task<IReadOnlyList<TOut>> MapAsync<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        List<Task<TOut[]>> chunks = SubmitChunks(items, function, chunkSize, definition: null, cancellationToken);
        TOut[][] results = await Task.WhenAll(chunks).ConfigureAwait(false);
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>
    /// Why the pool stopped for good, or null while it works: it could not start workers
    /// (after retrying with backoff) or met an error it could not recover from. Every task
    /// then fails with this exception.
    /// </summary>
    public ProcessPoolFaultedException? Fault => _dispatcher.Failure;

    /// <summary>
    /// Stops taking work, lets submitted tasks finish (or cancels those not started), stops the
    /// workers and unmaps the rings (Python's close() + join(), or shutdown(cancel_futures=True)).
    /// </summary>
    /// <param name="cancelPending">
    /// Cancel every task that has not started, whether still in the pool's queue or already
    /// queued to a worker; tasks running now finish. <see cref="TerminateAsync"/> stops those too.
    /// </param>
    /// <returns>
    /// A task that completes when every worker has been reaped. Every submitted task has its
    /// outcome then; the caller's tasks take it on a continuation (the result is decoded off the
    /// pool's thread), so await them, rather than read <see cref="Task.IsCompleted"/> at once.
    /// </returns>
    public Task ShutdownAsync(bool cancelPending = false)
    {
        _dispatcher.Shutdown(cancelPending);
        return _dispatcher.Stopped;
    }

    /// <summary>
    /// Stops taking work and waits up to <paramref name="gracePeriod"/> for submitted tasks to
    /// finish; then terminates (<see cref="TerminateAsync"/>): what is still running is killed
    /// and what is left is cancelled. The bounded way to close a pool whose tasks may never end.
    /// </summary>
    /// <param name="gracePeriod">How long submitted work may take; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</param>
    /// <returns>True if all work finished in time; false if the pool had to be terminated.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Negative and not infinite.</exception>
    public async Task<bool> ShutdownAsync(TimeSpan gracePeriod)
    {
        if (gracePeriod < TimeSpan.Zero && gracePeriod != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), gracePeriod, "A grace period cannot be negative.");
        }

        Task stopped = ShutdownAsync();
        if (gracePeriod == Timeout.InfiniteTimeSpan || await Task.WhenAny(stopped, Task.Delay(gracePeriod)).ConfigureAwait(false) == stopped)
        {
            await stopped.ConfigureAwait(false);
            return true;
        }

        await TerminateAsync().ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Stops now (Python's terminate()): kills every worker with SIGKILL, cancels every task not
    /// finished (running, queued to a worker, or waiting in the pool), and reaps the workers.
    /// </summary>
    /// <returns>A task that completes when every worker has been reaped.</returns>
    public Task TerminateAsync()
    {
        _dispatcher.Terminate();
        return _dispatcher.Stopped;
    }

    /// <summary>
    /// Stops taking work (Python's close()): tasks already submitted run to the end, then the
    /// workers exit; a later submission throws <see cref="ObjectDisposedException"/>. Returns at
    /// once; <see cref="JoinAsync"/> waits for the end. The same as <see cref="ShutdownAsync(bool)"/>
    /// without waiting.
    /// </summary>
    public void Close() => _dispatcher.Shutdown(cancelPending: false);

    /// <summary>
    /// Waits until every submitted task has its outcome and every worker has been reaped
    /// (Python's join()). Only after <see cref="Close"/>, <see cref="Terminate"/> or a shutdown,
    /// as in Python: joining a pool that still takes work would wait for ever.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the pool carries on closing).</param>
    /// <returns>A task that completes when the pool is down.</returns>
    /// <exception cref="InvalidOperationException">The pool was not closed (thrown at once).</exception>
    public Task JoinAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotClosed();
        return _dispatcher.Stopped.WaitAsync(cancellationToken);
    }

    /// <summary>Blocks the calling thread until the pool is down; see <see cref="JoinAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The pool was not closed (thrown at once).</exception>
    public void Join()
    {
        ThrowIfNotClosed();
        _dispatcher.Stopped.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Stops now and blocks the calling thread until every worker has been reaped (Python's
    /// terminate()); see <see cref="TerminateAsync"/>.
    /// </summary>
    public void Terminate() => TerminateAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Waits for submitted work, then stops the workers; see <see cref="ShutdownAsync(bool)"/>.
    /// With <see cref="ProcessPoolOptions.DisposeGracePeriod"/> set, the wait is bounded and the
    /// pool is terminated after it.
    /// </summary>
    /// <returns>A task that completes when the pool is down.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await ShutdownAsync(_options.DisposeGracePeriod).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for submitted work, then stops the workers (blocking); see <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ShutdownAsync(_options.DisposeGracePeriod).GetAwaiter().GetResult();
        }
    }

    private List<Task<TOut[]>> SubmitChunks<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> function, int? chunkSize, Func<int, FunctionDefinition>? definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        IReadOnlyList<TIn> list = items as IReadOnlyList<TIn> ?? items.ToList();
        int size = chunkSize ?? Math.Max(1, (int)Math.Ceiling(list.Count / (4.0 * _options.WorkerCount)));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(chunkSize));
        DelegateTable.Entry entry = RegisterChunk(function, definition);
        IPoolSerializer serializer = _options.Serializer;
        var chunks = new List<Task<TOut[]>>((list.Count + size - 1) / size);
        for (int start = 0; start < list.Count; start += size)
        {
            TIn[] chunk = new TIn[Math.Min(size, list.Count - start)];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] = list[start + i];
            }

            chunks.Add(Decode<TOut[]>(Enqueue(entry, serializer.Serialize(chunk), cancellationToken)));
        }

        return chunks;
    }

    /// <summary>Registers the chunk form of <paramref name="function"/>: an array of inputs in, the array of its results out.</summary>
    private DelegateTable.Entry RegisterChunk<TIn, TOut>(Func<TIn, TOut> function, Func<int, FunctionDefinition>? definition)
    {
        IPoolSerializer serializer = _options.Serializer;
        return _functions.Register(function, bytes =>
        {
            TIn[] inputs = serializer.Deserialize<TIn[]>(bytes);
            var outputs = new TOut[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                outputs[i] = function(inputs[i]);
            }

            return serializer.Serialize(outputs);
        },
        definition ?? (id => FunctionDefinition.Create(id, FunctionKind.Chunk, function, serializer, typeof(TIn), typeof(TOut))));
    }

    private DelegateTable.Entry RegisterUnary<TArg, TResult>(Func<TArg, TResult> function)
    {
        IPoolSerializer serializer = _options.Serializer;
        return _functions.Register(function, bytes => serializer.Serialize(function(serializer.Deserialize<TArg>(bytes))),
            id => FunctionDefinition.Create(id, FunctionKind.Unary, function, serializer, typeof(TArg), typeof(TResult)));
    }

    private void ThrowIfNotClosed()
    {
        if (!_dispatcher.IsShuttingDown)
        {
            throw new InvalidOperationException("Join waits for the pool to end: call Close, Terminate or ShutdownAsync first.");
        }
    }

    private Task<byte[]> Enqueue(DelegateTable.Entry function, byte[] argument, CancellationToken cancellationToken) =>
        EnqueueTask(function, argument, cancellationToken).Completion.Task;

    private PoolTask EnqueueTask(DelegateTable.Entry function, byte[] argument, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var task = new PoolTask(Interlocked.Increment(ref _nextTaskId), function, argument, cancellationToken);
        _dispatcher.Submit(task);
        return task;
    }

    private async Task<T> Decode<T>(Task<byte[]> bytes) => _options.Serializer.Deserialize<T>(await bytes.ConfigureAwait(false));
}
