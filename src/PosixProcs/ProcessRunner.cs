namespace PosixProcs;

/// <summary>
/// A process object in the style of Python's <c>multiprocessing.Process</c>: built with a
/// target (a delegate to fork, or a program to spawn), started by <see cref="Start"/>, then
/// joined, polled, signalled. It runs over <see cref="ChildProcess.Fork(Func{ChildContext, int}, ForkOptions?)"/>
/// and <see cref="ChildProcess.Spawn(string, IEnumerable{string}, SpawnOptions?)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Python ↔ this type: <c>Process(target=f, args=(a,), name=..., daemon=...)</c> is
/// <c>new ProcessRunner(f)</c> or <see cref="Create{TArgument}"/> with <see cref="Name"/> and
/// <see cref="Daemon"/>; <c>start()</c>, <c>join(timeout)</c>, <c>is_alive()</c>,
/// <c>exitcode</c>, <c>pid</c>, <c>terminate()</c>, <c>kill()</c>, <c>close()</c> are
/// <see cref="Start"/>, <see cref="Join"/>, <see cref="IsAlive"/>, <see cref="ExitCode"/>,
/// <see cref="Pid"/>, <see cref="Terminate"/>, <see cref="Kill"/>, <see cref="Dispose"/>;
/// <c>multiprocessing.active_children()</c> is <see cref="ActiveChildren"/>.
/// </para>
/// <para>
/// Only this object's child is ever waited for (waitpid on its pid, never "any child"):
/// <see cref="IsAlive"/>, <see cref="ExitCode"/> and <see cref="ActiveChildren"/> poll with
/// WNOHANG and reap it if it has ended, as Python's do; they never block and never reap
/// another child of this process.
/// </para>
/// <para>
/// A forked target runs in a copy of this process, with the rules of
/// <see cref="ChildProcess.Fork(Func{ChildContext, int}, ForkOptions?)"/> (one thread, leave by
/// returning). An exception that escapes it ends the child with
/// <see cref="ChildProcess.FaultExitCode"/> (70; Python's is 1 and a traceback on stderr):
/// <see cref="Join"/> does not throw it, <see cref="Fault"/> carries its type, message and stack.
/// </para>
/// </remarks>
public sealed class ProcessRunner : IDisposable, IAsyncDisposable
{
    /// <summary>How long <see cref="Dispose"/> gives a daemon child after SIGTERM before SIGKILL.</summary>
    private static readonly TimeSpan DaemonGracePeriod = TimeSpan.FromSeconds(2);

    private static int s_created;

    /// <summary>This process's started, not yet reaped runners. A forked child gets a fresh, empty one (its parent's children are not its own).</summary>
    private static Registry s_registry = new();

    private readonly Lock _gate = new();
    private readonly Func<ChildContext, int>? _target;
    private readonly ForkOptions? _forkOptions;
    private readonly string? _program;
    private readonly string[]? _arguments;
    private readonly SpawnOptions? _spawnOptions;
    private string _name;
    private bool _daemon;
    private ChildProcess? _child;
    private bool _disposed;

    /// <summary>A process that will fork and run <paramref name="target"/>, then exit with code 0.</summary>
    /// <param name="target">What the child does.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors; default <see cref="ForkOptions"/>' defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public ProcessRunner(Action target, ForkOptions? options = null)
        : this(Returning0(target ?? throw new ArgumentNullException(nameof(target))), options)
    {
    }

    /// <summary>A process that will fork and run <paramref name="target"/> with its pipes and channel, then exit with code 0.</summary>
    /// <param name="target">What the child does.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public ProcessRunner(Action<ChildContext> target, ForkOptions? options = null)
        : this(Returning0(target ?? throw new ArgumentNullException(nameof(target))), options)
    {
    }

    /// <summary>A process that will fork and run <paramref name="target"/>, then exit with the code it returns (0..255).</summary>
    /// <param name="target">What the child does.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public ProcessRunner(Func<ChildContext, int> target, ForkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _forkOptions = options ?? new ForkOptions();
        _name = NextName();
    }

    /// <summary>A process that will spawn <paramref name="program"/> (fork+exec in C, no managed code in the child).</summary>
    /// <param name="program">A path, or a bare name looked up in PATH when the process starts.</param>
    /// <param name="arguments">The arguments after argv[0]; copied now.</param>
    /// <param name="options">Standard streams, descriptors, environment, process group, limits.</param>
    /// <exception cref="ArgumentException"><paramref name="program"/> is null or empty, or <paramref name="arguments"/> is null.</exception>
    public ProcessRunner(string program, IEnumerable<string> arguments, SpawnOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        _program = program;
        _arguments = [.. arguments];
        _spawnOptions = options ?? new SpawnOptions();
        _name = NextName();
    }

    /// <summary>Python's <c>Process(target=f, args=(argument,))</c>: a process that will fork and run <c>target(argument)</c>.</summary>
    /// <typeparam name="TArgument">The argument's type.</typeparam>
    /// <param name="target">What the child does.</param>
    /// <param name="argument">What it gets; the child sees its copy of the parent's object (nothing is serialized).</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <returns>The process, not started.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public static ProcessRunner Create<TArgument>(Action<TArgument> target, TArgument argument, ForkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new ProcessRunner(() => target(argument), options);
    }

    /// <summary>
    /// The process's name, for people: default "Process-N", N counting the objects built by
    /// this process, as Python's. It may be changed at any time; the child never sees it.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public string Name
    {
        get
        {
            lock (_gate)
            {
                return _name;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                _name = value;
            }
        }
    }

    /// <summary>
    /// Whether the child is a daemon (default false); set before <see cref="Start"/>. A daemon child
    /// does not outlive this process:
    /// <list type="bullet">
    /// <item><see cref="Dispose"/> (the end of a <c>using</c>) ends it: SIGTERM, up to 2 s, then
    /// SIGKILL, and reaps it; a non-daemon child is waited for instead, without a limit (Python at
    /// interpreter exit terminates daemonic children and joins the others).</item>
    /// <item>If this process dies without disposing, even by SIGKILL, the child gets SIGKILL from
    /// the kernel (Linux PR_SET_PDEATHSIG, through <see cref="ForkOptions.ParentDeathSignal"/> or
    /// <see cref="SpawnOptions.ParentDeathSignal"/>; a signal set there is kept instead of
    /// SIGKILL), and init or a subreaper reaps it. On Linux it fires when the THREAD that called
    /// <see cref="Start"/> ends: start daemons from a thread that lives as long as this process (the
    /// main thread), not from a thread-pool thread, which may retire.</item>
    /// <item>macOS has no PR_SET_PDEATHSIG: a forked daemon is watched by a native thread of its own
    /// (kqueue on the parent, see <see cref="Posix.SetParentDeathSignal"/>; untested on macOS); a
    /// spawned daemon is NOT ended when this process dies without disposing, only by
    /// <see cref="Dispose"/>.</item>
    /// </list>
    /// A runner never disposed and not a daemon leaves its child running when this process exits,
    /// unlike Python, which joins it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after <see cref="Start"/>.</exception>
    public bool Daemon
    {
        get
        {
            lock (_gate)
            {
                return _daemon;
            }
        }

        set
        {
            lock (_gate)
            {
                if (_child is not null)
                {
                    throw new InvalidOperationException($"{_name} has already started: Daemon must be set before Start.");
                }

                _daemon = value;
            }
        }
    }

    /// <summary>The child's process id once started; <c>null</c> before <see cref="Start"/>.</summary>
    public Pid? Pid => Child?.Pid;

    /// <summary>
    /// The child once started (its pipes, channel, terminal, resource usage); <c>null</c> before
    /// <see cref="Start"/>. It belongs to this object: do not dispose it.
    /// </summary>
    public ChildProcess? Child
    {
        get
        {
            lock (_gate)
            {
                return _child;
            }
        }
    }

    /// <summary>
    /// Python's <c>is_alive()</c>: true from <see cref="Start"/> until the child ends. Does not
    /// block: it polls this child only (waitpid WNOHANG on its pid) and reaps it if it has ended.
    /// False before <see cref="Start"/>.
    /// </summary>
    public bool IsAlive => Poll() is { HasEnded: false };

    /// <summary>
    /// How the child ended; <c>null</c> before <see cref="Start"/> and while it runs. Polls as
    /// <see cref="IsAlive"/> does.
    /// </summary>
    public WaitStatus? Status => Poll() is { HasEnded: true } status ? status : null;

    /// <summary>
    /// Python's <c>exitcode</c>: <c>null</c> before <see cref="Start"/> and while the child runs;
    /// its exit code (0..255) if it exited; minus the signal's number on this platform
    /// (<see cref="Signal.Number"/>) if a signal ended it, -15 for SIGTERM. A forked target that
    /// threw gives <see cref="ChildProcess.FaultExitCode"/>. Polls as <see cref="IsAlive"/> does.
    /// </summary>
    public int? ExitCode => Status switch
    {
        WaitStatus.Exited exited => exited.Code,
        WaitStatus.Signaled signaled => -signaled.Signal.Number,
        _ => null,
    };

    /// <summary>The exception a forked target threw, once the child has been reaped; <c>null</c> if none (and always for a spawned program).</summary>
    public ChildProcessException? Fault => Child?.Fault;

    /// <summary>
    /// Python's <c>active_children()</c>: the children of this process started through this type
    /// that are still running, in the order they were started. Each is polled (WNOHANG, its pid
    /// only), and those that have ended are reaped and dropped from the list. In a forked child
    /// the list starts empty: its parent's children are not its own.
    /// </summary>
    /// <returns>The live ones.</returns>
    public static IReadOnlyList<ProcessRunner> ActiveChildren()
    {
        Registry registry = Volatile.Read(ref s_registry);
        ProcessRunner[] started;
        lock (registry.Gate)
        {
            started = [.. registry.Runners];
        }

        return [.. started.Where(runner => runner.IsAlive)];
    }

    /// <summary>Python's <c>start()</c>: forks the target or spawns the program, and returns at once.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    /// <exception cref="ForkHazardException">Forking now would crash this process or hang the child (see <see cref="ForkSafety"/>).</exception>
    /// <exception cref="SpawnException">The program could not be started.</exception>
    /// <exception cref="PosixException">fork or pipe failed.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_child is not null)
            {
                throw new InvalidOperationException($"{_name} has already started (pid {_child.Pid}): a process object can only be started once.");
            }

            Signal daemonSignal = PosixProcs.Signal.SIGKILL;
            if (_target is not null)
            {
                ForkOptions options = _daemon && _forkOptions!.ParentDeathSignal is null ? _forkOptions.WithParentDeathSignal(daemonSignal) : _forkOptions!;
                Func<ChildContext, int> target = _target;
                _child = ChildProcess.Fork(context =>
                {
                    Volatile.Write(ref s_registry, new Registry()); // no lock: a thread that held one does not exist here
                    return target(context);
                }, options);
            }
            else
            {
                SpawnOptions options = _daemon && _spawnOptions!.ParentDeathSignal is null ? _spawnOptions.WithParentDeathSignal(daemonSignal) : _spawnOptions!;
                _child = ChildProcess.Spawn(_program!, _arguments!, options);
            }
        }

        Registry registry = Volatile.Read(ref s_registry);
        lock (registry.Gate)
        {
            registry.Runners.Add(this);
        }
    }

    /// <summary>Python's <c>join(timeout)</c>: waits for the child to end, and reaps it. Does not throw a forked target's exception (see <see cref="Fault"/>).</summary>
    /// <param name="timeout">How long at most; <c>null</c> (or <see cref="Timeout.InfiniteTimeSpan"/>) for as long as it takes.</param>
    /// <returns>True if the child has ended; false if it still runs after <paramref name="timeout"/>.</returns>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public bool Join(TimeSpan? timeout = null)
    {
        ChildProcess child = StartedChild();
        bool ended;
        try
        {
            ended = child.Wait(timeout ?? Timeout.InfiniteTimeSpan);
        }
        catch (ChildProcessException)
        {
            ended = true; // the target threw: the child has ended and been reaped; Fault tells
        }

        if (ended)
        {
            Unregister();
        }

        return ended;
    }

    /// <summary>Waits for the child to end without blocking a thread, and reaps it. Does not throw a forked target's exception (see <see cref="Fault"/>).</summary>
    /// <param name="cancellationToken">Stops waiting (the child keeps running).</param>
    /// <returns>How it ended.</returns>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<WaitStatus> JoinAsync(CancellationToken cancellationToken = default)
    {
        ChildProcess child = StartedChild();
        try
        {
            await child.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChildProcessException)
        {
            // The target threw: the child has ended and been reaped; Fault tells.
        }

        Unregister();
        return child.Status!;
    }

    /// <summary>Python's <c>terminate()</c>: sends SIGTERM and returns at once (see <see cref="Join"/>). Nothing is sent once the child has been reaped: its pid may be another process's now.</summary>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="PosixException">kill failed.</exception>
    public void Terminate()
    {
        ChildProcess child = StartedChild();
        child.RunWhileUnreaped(() => Posix.Kill(child.Pid, PosixProcs.Signal.SIGTERM));
    }

    /// <summary>Python's <c>kill()</c>: sends SIGKILL and returns at once. Nothing is sent once the child has been reaped.</summary>
    /// <exception cref="InvalidOperationException">Not started.</exception>
    /// <exception cref="PosixException">kill failed.</exception>
    public void Kill() => StartedChild().Kill();

    /// <summary>
    /// Ends the object as Python's interpreter exit ends its children: a <see cref="Daemon"/> child
    /// that still runs gets SIGTERM, then SIGKILL after 2 s, and is reaped; any other child is
    /// waited for, without a limit. Then the child's pipes are closed. Nothing happens to a runner
    /// never started.
    /// </summary>
    public void Dispose()
    {
        ChildProcess? child = BeginDispose();
        if (child is null)
        {
            return;
        }

        try
        {
            if (Daemon)
            {
                child.Terminate(DaemonGracePeriod);
            }
            else
            {
                Join();
            }
        }
        finally
        {
            child.Dispose();
            Unregister();
        }
    }

    /// <summary>As <see cref="Dispose"/>, but a non-daemon child is waited for without blocking a thread.</summary>
    /// <returns>Completes when the child has been reaped.</returns>
    public async ValueTask DisposeAsync()
    {
        ChildProcess? child = BeginDispose();
        if (child is null)
        {
            return;
        }

        try
        {
            if (Daemon)
            {
                child.Terminate(DaemonGracePeriod);
            }
            else
            {
                await JoinAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await child.DisposeAsync().ConfigureAwait(false);
            Unregister();
        }
    }

    /// <summary>"Process-1 (pid 1234, running, daemon)", as Python's repr.</summary>
    /// <returns>A short description.</returns>
    public override string ToString()
    {
        ChildProcess? child = Child;
        string state = child is null ? "initial" : child.Status?.ToString() ?? "running";
        string pid = child is null ? string.Empty : $"pid {child.Pid}, ";
        return $"{Name} ({pid}{state}{(Daemon ? ", daemon" : string.Empty)})";
    }

    private static string NextName() => $"Process-{Interlocked.Increment(ref s_created)}";

    private static Func<ChildContext, int> Returning0(Action target) => _ =>
    {
        target();
        return 0;
    };

    private static Func<ChildContext, int> Returning0(Action<ChildContext> target) => context =>
    {
        target(context);
        return 0;
    };

    private ChildProcess? BeginDispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            return _child;
        }
    }

    private ChildProcess StartedChild() =>
        Child ?? throw new InvalidOperationException($"{Name} has not been started: call Start first.");

    /// <summary>Polls the child (WNOHANG, its pid only) and drops it from the registry once it has ended; null before Start.</summary>
    private WaitStatus? Poll()
    {
        ChildProcess? child = Child;
        if (child is null)
        {
            return null;
        }

        WaitStatus status = child.Poll();
        if (status.HasEnded)
        {
            Unregister();
        }

        return status;
    }

    private void Unregister()
    {
        Registry registry = Volatile.Read(ref s_registry);
        lock (registry.Gate)
        {
            registry.Runners.Remove(this);
        }
    }

    /// <summary>The runners a process has started and not seen end.</summary>
    private sealed class Registry
    {
        public Lock Gate { get; } = new();

        public List<ProcessRunner> Runners { get; } = [];
    }
}
