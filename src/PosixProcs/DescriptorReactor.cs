namespace PosixProcs;

/// <summary>
/// One background thread that waits, in a single poll(), on every descriptor someone is
/// awaiting: pidfds of children (exit) and pipe ends (readable/writable). So WaitAsync and
/// ReadAsync never park a thread each. The thread sleeps in poll (state S), which is
/// harmless to a later fork. Where there are no pidfds (macOS), exits are detected by
/// <see cref="WhenTrue"/> checks run every <see cref="CheckInterval"/>.
/// </summary>
internal sealed class DescriptorReactor
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(10);
    private readonly Lock _gate = new();
    private readonly List<Registration> _registrations = [];
    private PipeEnds? _wake;
    private Thread? _thread;

    public static DescriptorReactor Shared { get; } = new();

    /// <summary>Completes when <paramref name="fd"/> has one of <paramref name="events"/> (or an error or hang-up).</summary>
    public Task WhenReady(FileDescriptorHandle fd, PollEvents events, CancellationToken cancellationToken)
    {
        bool added = false;
        fd.DangerousAddRef(ref added);
        return Register(new Registration(fd, events, null), cancellationToken);
    }

    /// <summary>Completes when <paramref name="check"/> returns true; checked on the reactor thread.</summary>
    public Task WhenTrue(Func<bool> check, CancellationToken cancellationToken) =>
        Register(new Registration(null, PollEvents.None, check), cancellationToken);

    private Task Register(Registration registration, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            registration.Release();
            return Task.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            EnsureStarted();
            _registrations.Add(registration);
        }

        if (cancellationToken.CanBeCanceled)
        {
            registration.CancellationRegistration = cancellationToken.Register(() =>
            {
                if (Remove(registration))
                {
                    registration.Completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        Wake();
        return registration.Completion.Task;
    }

    private bool Remove(Registration registration)
    {
        lock (_gate)
        {
            if (!_registrations.Remove(registration))
            {
                return false;
            }
        }

        registration.Release();
        return true;
    }

    private void EnsureStarted()
    {
        if (_thread is not null)
        {
            return;
        }

        _wake = Posix.Pipe(nonBlocking: true);
        _thread = new Thread(Run) { IsBackground = true, Name = "PosixProcs reactor" };
        _thread.Start();
    }

    private void Wake()
    {
        try
        {
            Posix.Write(_wake!.Write, [1]);
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.EAGAIN)
        {
            // The wake pipe is full: the reactor has wake-ups pending already.
        }
    }

    private void Run()
    {
        var fds = new List<int>();
        var events = new List<PollEvents>();
        var byIndex = new List<Registration>();
        var drain = new byte[64];
        while (true)
        {
            fds.Clear();
            events.Clear();
            byIndex.Clear();
            fds.Add((int)_wake!.Read.DangerousGetHandle());
            events.Add(PollEvents.In);
            bool anyChecks = false;
            lock (_gate)
            {
                foreach (Registration registration in _registrations)
                {
                    if (registration.Fd is { } fd)
                    {
                        fds.Add((int)fd.DangerousGetHandle());
                        events.Add(registration.Events);
                        byIndex.Add(registration);
                    }
                    else
                    {
                        anyChecks = true;
                    }
                }
            }

            var happened = new PollEvents[fds.Count];
            Posix.PollMany(fds.ToArray(), events.ToArray(), happened, anyChecks ? CheckInterval : Timeout.InfiniteTimeSpan);
            if (happened[0] != PollEvents.None)
            {
                while (TryDrain(drain))
                {
                }
            }

            for (int i = 1; i < happened.Length; i++)
            {
                if (happened[i] != PollEvents.None)
                {
                    Complete(byIndex[i - 1]);
                }
            }

            if (anyChecks)
            {
                RunChecks();
            }
        }
    }

    private bool TryDrain(byte[] buffer)
    {
        try
        {
            return Posix.Read(_wake!.Read, buffer) == buffer.Length;
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.EAGAIN)
        {
            return false;
        }
    }

    private void RunChecks()
    {
        List<Registration> checks;
        lock (_gate)
        {
            checks = _registrations.Where(r => r.Check is not null).ToList();
        }

        foreach (Registration registration in checks)
        {
            bool done;
            try
            {
                done = registration.Check!();
            }
            catch (Exception ex) when (ex is PosixException or InvalidOperationException)
            {
                if (Remove(registration))
                {
                    registration.Completion.TrySetException(ex);
                }

                continue;
            }

            if (done)
            {
                Complete(registration);
            }
        }
    }

    private void Complete(Registration registration)
    {
        if (Remove(registration))
        {
            registration.Completion.TrySetResult();
        }
    }

    private sealed class Registration(FileDescriptorHandle? fd, PollEvents events, Func<bool>? check)
    {
        public FileDescriptorHandle? Fd { get; } = fd;

        public PollEvents Events { get; } = events;

        public Func<bool>? Check { get; } = check;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration CancellationRegistration { get; set; }

        public void Release()
        {
            CancellationRegistration.Dispose();
            Fd?.DangerousRelease();
        }
    }
}
