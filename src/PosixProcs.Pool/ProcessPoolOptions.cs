namespace PosixProcs.Pool;

/// <summary>How a <see cref="ProcessPool"/> runs its workers. Every property has a documented default and is checked when set.</summary>
public sealed class ProcessPoolOptions
{
    private StartMethod _startMethod = StartMethod.ForkServer;
    private int _workerCount = Environment.ProcessorCount;
    private int _maxTasksPerWorker;
    private TimeSpan? _taskTimeout;
    private int _maxRetries;
    private int _pipelineDepth = 16;
    private TimeSpan _workerStartTimeout = TimeSpan.FromSeconds(30);
    private int _ringCapacity = 1 << 20;
    private TimeSpan _disposeGracePeriod = Timeout.InfiniteTimeSpan;

    /// <summary>How workers are started. Default <see cref="StartMethod.ForkServer"/>: see there why.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined start method.</exception>
    public StartMethod StartMethod
    {
        get => _startMethod;
        set => _startMethod = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown start method.");
    }

    /// <summary>How many worker processes. Default: the number of cores.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or above 1024.</exception>
    public int WorkerCount
    {
        get => _workerCount;
        set => _workerCount = value is >= 1 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A pool has 1 to 1024 workers.");
    }

    /// <summary>A worker is replaced by a fresh one after this many tasks (0: never). Default 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxTasksPerWorker
    {
        get => _maxTasksPerWorker;
        set => _maxTasksPerWorker = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Use 0 for no limit.");
    }

    /// <summary>
    /// The hard time limit of one task, counted from when its worker starts it (not from when
    /// it was queued, nor while a new worker starts or loads the function). A task over it has
    /// its worker killed (SIGKILL) and replaced, and fails with <see cref="TimeoutException"/>.
    /// Default: none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan? TaskTimeout
    {
        get => _taskTimeout;
        set => _taskTimeout = value is null || value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive.");
    }

    /// <summary>
    /// How many more times a task whose worker crashed is run on a fresh worker before it is
    /// reported as a poison task (<see cref="WorkerCrashedException"/>). Default 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxRetries
    {
        get => _maxRetries;
        set => _maxRetries = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Retries cannot be negative.");
    }

    /// <summary>
    /// How long a new worker may take to start (fork or spawn, initializer included) before it
    /// is killed and replaced; its queued tasks go to other workers and count no attempt. A
    /// forked child can hang for ever on a runtime lock held at the moment of fork: this is
    /// the bound that keeps the pool from waiting on it. Default 30 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan WorkerStartTimeout
    {
        get => _workerStartTimeout;
        set => _workerStartTimeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive.");
    }

    /// <summary>
    /// Runs once in each worker, before its first task (e.g. to load a model or open a file).
    /// With Spawn and ForkServer it must be a static method or a lambda that captures nothing.
    /// Default: none.
    /// </summary>
    public Action? Initializer { get; set; }

    /// <summary>
    /// Runs once in each worker, before its first task, on arguments that cross with
    /// <see cref="Serializer"/> (Python's initializer + initargs): made by
    /// <see cref="WorkerInitializer.Create{T}(Action{T}, T)"/>. Set this or <see cref="Initializer"/>,
    /// not both. Default: none.
    /// </summary>
    public WorkerInitializer? InitializerWithArguments { get; set; }

    /// <summary>Limits set in each worker (address space, CPU seconds, ...). Default: none.</summary>
    public IReadOnlyList<ResourceLimit> WorkerResourceLimits { get; set; } = [];

    /// <summary>
    /// How many tasks a worker may have queued in its ring at once: more hides the round trip
    /// of trivial tasks; a crash fails only the task that was running, the queued ones go to
    /// other workers. Queued tasks that have not started can be taken back: a worker that goes
    /// idle takes the queue of a busy one (after its current task has run 20 ms), and a
    /// cancelled or shut-down task is dropped before it runs. Default 16.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1 or above 4096.</exception>
    public int PipelineDepth
    {
        get => _pipelineDepth;
        set => _pipelineDepth = value is >= 1 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Pipeline depth is 1 to 4096.");
    }

    /// <summary>Bytes of each ring (a power of two, 64 KiB to 64 MiB); messages above an eighth of it travel in fragments. Default 1 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a power of two in range.</exception>
    public int RingCapacity
    {
        get => _ringCapacity;
        set => _ringCapacity = value is >= 1 << 16 and <= 1 << 26 && (value & (value - 1)) == 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Ring capacity is a power of two from 64 KiB to 64 MiB.");
    }

    /// <summary>
    /// How long Dispose waits for submitted tasks before it terminates the pool (kills the
    /// workers, cancels what is left). Default <see cref="Timeout.InfiniteTimeSpan"/>: wait for
    /// every task, as Python's close() + join() does; set it when a task may never end and no
    /// <see cref="TaskTimeout"/> bounds it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative and not infinite.</exception>
    public TimeSpan DisposeGracePeriod
    {
        get => _disposeGracePeriod;
        set => _disposeGracePeriod = value >= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A grace period cannot be negative.");
    }

    /// <summary>How arguments and results cross to the workers. Default: raw bytes for unmanaged types, System.Text.Json otherwise.</summary>
    public IPoolSerializer Serializer { get; set; } = PoolSerializer.Default;

    /// <summary>Receives the pool's counts as tasks finish (at most every 50 ms, and at the end of each map). Default: none.</summary>
    public IProgress<PoolProgress>? Progress { get; set; }
}
