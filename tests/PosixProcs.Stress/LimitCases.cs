using System.Globalization;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>
/// (c) Descriptor and process limits, as an unprivileged user (root ignores RLIMIT_NPROC):
/// every failure must be a typed PosixException carrying EMFILE or EAGAIN, nothing may hang,
/// the host must live, and once the limit is no longer hit everything works again.
/// </summary>
internal static class LimitCases
{
    /// <summary>
    /// The hard descriptor limit the case process starts with (as after <c>ulimit -n 1024</c>).
    /// The case then lowers its own soft limit relative to what it has open: the runtime alone
    /// holds 55-62 descriptors depending on the machine, so a fixed <c>ulimit -n 64</c> left
    /// anywhere from 2 to 9 free and tested a different thing on each machine (and at 60 the
    /// runtime could not even load PosixProcs.dll).
    /// </summary>
    public const int OpenFilesLimit = 1024;

    /// <summary>The sweep: the soft limit leaves this many numbers free above the highest open descriptor.</summary>
    private const int MostFreeNumbers = 8;

    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    /// <summary>Pipe, spawn, fork, socketpair and dup with 0 to 8 descriptors free, then with none at all.</summary>
    public static int OpenFilesBasic(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        RecordIdentity(recorder, ResourceKind.OpenFiles);
        using FileDescriptorHandle devNull = DescriptorLimit.OpenDevNull();
        (string Name, Action Run)[] steps =
        [
            ("pipe", () => Posix.Pipe().Dispose()),
            ("dup", () => Posix.Duplicate(devNull).Dispose()),
            ("socketpair", () => Posix.SocketPair().Dispose()),
            ("spawn", () =>
            {
                using ChildProcess child = ChildProcess.Spawn("/bin/true", [], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
                RequireSuccess(child, "/bin/true");
            }),
            ("fork with a channel", () =>
            {
                using ChildProcess child = ChildProcess.Fork(static () => { }, new ForkOptions { Channel = true });
                RequireSuccess(child, "forked child");
            }),
        ];

        // A process hits the limit after it has worked normally: every step runs once with the
        // full limit (success paths loaded), and every assembly is loaded before any limit
        // (the runtime opens an assembly's file to load it, and at the limit fails to).
        recorder.Metric("assembliesPreloaded", DescriptorLimit.PreloadAssemblies());
        foreach ((string name, Action run) in steps)
        {
            Exception? warm = Attempt(run);
            recorder.Check($"{name} before the limit", warm is null, warm is null ? "ok" : Describe(warm));
        }

        int before = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.start", before);
        var fewestFree = new Dictionary<string, int>();
        for (int free = 0; free <= MostFreeNumbers; free++)
        {
            foreach ((string name, Action run) in steps)
            {
                Exception? error = DescriptorLimit.WithFreeNumbers(devNull, free, () => Attempt(run));
                Expect(recorder, $"{name} with {free} descriptors free", error, "EMFILE");
                if (error is null)
                {
                    fewestFree.TryAdd(name, free);
                }
            }
        }

        // The numbers that prove it: what each call needs. Spawn needs its stdout pipe and its
        // exec-error pipe (4) and the child not one more (it used to move every descriptor above
        // the highest, and failed with EINVAL when that was past the limit).
        foreach ((string name, _) in steps)
        {
            recorder.Metric($"needs.{name}", fewestFree.TryGetValue(name, out int needed) ? needed : -1);
        }

        recorder.Check("spawn needs only the parent's 4 descriptors", fewestFree.GetValueOrDefault("spawn", -1) == 4, $"spawn first worked with {fewestFree.GetValueOrDefault("spawn", -1)} free");

        // Every number taken (by duplicates of /dev/null): every step must fail, typed.
        DescriptorLimit.WithFreeNumbers(devNull, 32, () =>
        {
            using var held = DescriptorHog.Fill(devNull);
            recorder.Metric("fd.heldToExhaust", held.Count);
            Expect(recorder, "filling every number", held.Failure ?? new InvalidOperationException("no limit reached"), "EMFILE");
            foreach ((string name, Action run) in steps)
            {
                Exception? error = Attempt(run);
                Expect(recorder, $"{name} at the limit", error ?? new InvalidOperationException($"{name} succeeded with no descriptor free"), "EMFILE");
            }

            return 0;
        });

        // The limit back: everything works again, and nothing was left open.
        foreach ((string name, Action run) in steps)
        {
            Exception? after = Attempt(run);
            recorder.Check($"{name} after the limit", after is null, after is null ? "ok" : Describe(after));
        }

        int end = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.end", end);
        recorder.Check("descriptors back to start", end <= before, $"fd {before}→{end}");
        return recorder.Finish();
    }

    /// <summary>A pool with few descriptors free, and at the limit: start fails typed; with the limit back, a pool starts and works.</summary>
    public static int OpenFilesPool(CaseContext context, StartMethod method)
    {
        CaseRecorder recorder = context.Recorder;
        recorder.Metric("method", method.ToString());
        RecordIdentity(recorder, ResourceKind.OpenFiles);
        using FileDescriptorHandle devNull = DescriptorLimit.OpenDevNull();
        recorder.Metric("assembliesPreloaded", DescriptorLimit.PreloadAssemblies());

        // Worked before the limit (success paths loaded), as a real process would have.
        recorder.Metric("step", "pool before the limit");
        Exception? warm = Attempt(() => RunSmallPool(method, recorder));
        recorder.Check("pool before the limit", warm is null, warm is null ? "100/100 tasks" : Describe(warm));

        // A pool of 2 needs a dozen or more descriptors (channels, rings, the server's socket):
        // from none free to enough, it works or fails typed at each.
        foreach (int free in new[] { 0, 1, 2, 3, 4, 6, 8, 12, 16, 24 })
        {
            recorder.Metric("step", $"pool with {free} descriptors free");
            Expect(recorder, $"pool with {free} descriptors free", DescriptorLimit.WithFreeNumbers(devNull, free, () => Attempt(() => RunSmallPool(method, recorder))), "EMFILE");
        }

        DescriptorLimit.WithFreeNumbers(devNull, 32, () =>
        {
            using var held = DescriptorHog.Fill(devNull);
            recorder.Metric("fd.heldToExhaust", held.Count);
            recorder.Metric("step", "pool start at the limit");
            Exception? error = Attempt(() => ProcessPool.Start(Options(method)).Dispose());
            Expect(recorder, "pool start at the limit", error ?? new InvalidOperationException("a pool started with no descriptor free"), "EMFILE");
            return 0;
        });

        recorder.Metric("step", "pool after the limit");
        Exception? recovery = Attempt(() => RunSmallPool(method, recorder));
        recorder.Check("a pool works after the limit", recovery is null, recovery is null ? "100/100 tasks" : Describe(recovery));
        return recorder.Finish();
    }

    private static void RequireSuccess(ChildProcess child, string what)
    {
        if (!child.Wait(StepLimit) || !child.Status!.IsSuccess)
        {
            throw new InvalidOperationException($"{what}: {child.Status?.ToString() ?? "did not end"}");
        }
    }

    /// <summary>Fork and spawn at the process limit (RLIMIT_NPROC set just above what this user runs now).</summary>
    public static int ProcessesBasic(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        using var children = ProcessHog.Fill(recorder, headroom: 3);
        recorder.Metric("childrenAtLimit", children.Count);
        Expect(recorder, "fork at the limit", children.Failure, "EAGAIN");
        Expect(recorder, "spawn at the limit", Attempt(() => ChildProcess.Spawn("/bin/true", []).Dispose()), "EAGAIN");
        children.Dispose();
        ProcessHog.Unlimit();
        Exception? recovery = Attempt(() =>
        {
            using ChildProcess child = ChildProcess.Fork(static () => { });
            if (!child.Wait(StepLimit) || !child.Status!.IsSuccess)
            {
                throw new InvalidOperationException($"fork after the limit: {child.Status?.ToString() ?? "did not end"}");
            }
        });
        recorder.Check("fork works again below the limit", recovery is null, recovery is null ? "ok" : Describe(recovery));
        return recorder.Finish();
    }

    /// <summary>A pool at the process limit: start fails typed (or the pool copes); below it, it works.</summary>
    public static int ProcessesPool(CaseContext context, StartMethod method)
    {
        CaseRecorder recorder = context.Recorder;
        recorder.Metric("method", method.ToString());
        using (var children = ProcessHog.Fill(recorder, headroom: 2))
        {
            recorder.Metric("childrenAtLimit", children.Count);
            // On this thread, not through the thread pool: at the limit no new thread can start,
            // and the harness's deadline (with the step recorded) catches a hang.
            recorder.Metric("step", "pool start with no process left");
            Expect(recorder, "pool start with no process left", Attempt(() => ProcessPool.Start(Options(method)).Dispose()), "EAGAIN");

            // One process free: the pool's thread can start, its first fork or spawn cannot.
            children.ReleaseOne();
            recorder.Metric("step", "pool start with one process left");
            Expect(recorder, "pool start with one process left", Attempt(() => ProcessPool.Start(Options(method)).Dispose()), "EAGAIN");
        }

        ProcessHog.Unlimit();
        recorder.Metric("step", "pool below the limit");
        Exception? recovery = Attempt(() => RunSmallPool(method, recorder));
        recorder.Check("a pool works below the limit", recovery is null, recovery is null ? "100/100 tasks" : Describe(recovery));
        return recorder.Finish();
    }

    private static ProcessPoolOptions Options(StartMethod method) => new() { StartMethod = method, WorkerCount = 2, WorkerStartTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A pool of 2 runs 100 tasks; on this thread (the harness's deadline bounds it), since the thread pool may be the thing the limit broke.</summary>
    private static void RunSmallPool(StartMethod method, CaseRecorder recorder)
    {
        ProcessPool pool = ProcessPool.Start(Options(method));
        try
        {
            BatchResult result = PoolBatch.Run(pool, 100, StepLimit, recorder);
            if (result.Correct != 100)
            {
                throw new InvalidOperationException($"{result.Correct}/100 tasks correct, {result.Lost} lost");
            }
        }
        finally
        {
            pool.Dispose();
        }
    }

    private static void RecordIdentity(CaseRecorder recorder, ResourceKind kind)
    {
        recorder.Metric("uid", File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);
        ResourceLimit limit = Posix.GetResourceLimit(kind);
        recorder.Metric($"limit.{kind}.soft", limit.Soft);
    }

    public static Exception? Attempt(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// Records how a step at the limit ended and checks it: it may succeed (the library coped),
    /// but if it failed, the failure must carry a PosixException with <paramref name="errno"/>
    /// (itself or as an inner exception), with the call and errno names in its message.
    /// </summary>
    public static void Expect(CaseRecorder recorder, string step, Exception? error, string errno)
    {
        if (error is null)
        {
            recorder.Check(step, true, $"{step}: succeeded");
            return;
        }

        recorder.Error(error, step);
        PosixException? posix = Chain(error).OfType<PosixException>().FirstOrDefault();
        bool typed = posix is not null && posix.ErrnoName == errno && posix.Message.Contains(errno, StringComparison.Ordinal) && posix.Message.Contains(posix.CallName, StringComparison.Ordinal);
        if (!typed)
        {
            // Where an untyped error came from, for whoever fixes it.
            string trace = string.Join(" | ", (error.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(4));
            recorder.Note($"{step}: {error.GetType().Name} at {trace}");
        }

        recorder.Check(step, typed, $"{step}: {Describe(error)}");
    }

    public static string Describe(Exception error) => $"{CaseRecorder.ErrorKey(error)} \"{Shorten(error.Message)}\"";

    private static string Shorten(string text) => text.Length <= 140 ? text : text[..139] + "…";

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}

/// <summary>Holds every free descriptor (duplicates of one descriptor) until disposed.</summary>
internal sealed class DescriptorHog : IDisposable
{
    private readonly List<FileDescriptorHandle> _held = [];

    public int Count => _held.Count;

    /// <summary>The error that stopped the duplicates: it should be PosixException dup: EMFILE.</summary>
    public Exception? Failure { get; private set; }

    public static DescriptorHog Fill(FileDescriptorHandle source)
    {
        var hog = new DescriptorHog();
        try
        {
            for (int i = 0; i < 1 << 16; i++)
            {
                hog._held.Add(Posix.Duplicate(source));
            }
        }
        catch (Exception ex)
        {
            hog.Failure = ex; // full: that is the point; the case checks how the failure looks
        }

        return hog;
    }

    public void Dispose() => _held.ForEach(h => h.Dispose());
}

/// <summary>
/// Lowers RLIMIT_NPROC to what this user runs now plus a little, then forks children that
/// wait (on a pipe) until the limit is hit; disposing releases and reaps them.
/// </summary>
internal sealed class ProcessHog : IDisposable
{
    private readonly List<ChildProcess> _children = [];

    public int Count => _children.Count;

    /// <summary>The error that stopped the forks (null if none did).</summary>
    public Exception? Failure { get; private set; }

    public static ProcessHog Fill(CaseRecorder recorder, int headroom)
    {
        int uid = int.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1], CultureInfo.InvariantCulture);
        int tasks = TasksOfUser(uid);
        recorder.Metric("uid", uid);
        recorder.Metric("tasksOfUser", tasks);
        ResourceLimit current = Posix.GetResourceLimit(ResourceKind.Processes);
        Posix.SetResourceLimit(current with { Soft = (ulong)(tasks + headroom) });
        recorder.Metric("limit.Processes.soft", tasks + headroom);
        var hog = new ProcessHog();
        try
        {
            for (int i = 0; i < 64; i++)
            {
                hog._children.Add(ChildProcess.Fork(static (ChildContext c) =>
                {
                    // Waits until the parent closes the pipe: a live process that costs nothing.
                    c.Input!.ReadByte();
                    return 0;
                }, new ForkOptions { InputPipe = true }));
            }
        }
        catch (Exception ex)
        {
            hog.Failure = ex;
        }

        return hog;
    }

    /// <summary>Lets one child end, freeing one process of the limit.</summary>
    public void ReleaseOne()
    {
        if (_children.Count == 0)
        {
            return;
        }

        ChildProcess child = _children[^1];
        _children.RemoveAt(_children.Count - 1);
        child.StandardInput?.Dispose();
        if (!child.Wait(TimeSpan.FromSeconds(10)))
        {
            child.Kill();
        }

        child.Dispose();
    }

    public static void Unlimit()
    {
        ResourceLimit current = Posix.GetResourceLimit(ResourceKind.Processes);
        Posix.SetResourceLimit(current with { Soft = current.Hard });
    }

    public void Dispose()
    {
        foreach (ChildProcess child in _children)
        {
            child.StandardInput?.Dispose();
        }

        foreach (ChildProcess child in _children)
        {
            if (!child.Wait(TimeSpan.FromSeconds(10)))
            {
                child.Kill();
            }

            child.Dispose();
        }

        _children.Clear();
    }

    /// <summary>Processes and threads of <paramref name="uid"/>: what RLIMIT_NPROC counts.</summary>
    private static int TasksOfUser(int uid)
    {
        int total = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                string[] status = File.ReadAllLines(Path.Combine(dir, "status"));
                string? uidLine = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                string? threads = status.FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
                if (uidLine is not null && threads is not null && int.Parse(uidLine.Split('\t')[1], CultureInfo.InvariantCulture) == uid)
                {
                    total += int.Parse(threads.Split('\t')[1].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // ended while we read
            }
        }

        return total;
    }
}
