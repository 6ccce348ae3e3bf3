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
    public const int OpenFilesLimit = 64;
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    /// <summary>Pipes, spawn and fork at the descriptor limit (started with <c>ulimit -Sn 64</c>).</summary>
    public static int OpenFilesBasic(CaseContext context)
    {
        CaseRecorder recorder = context.Recorder;
        RecordIdentity(recorder, ResourceKind.OpenFiles);

        // A process hits the limit after it has worked normally: the success paths are loaded
        // (assemblies are opened lazily, which itself needs a descriptor). The error paths are not.
        // With the runtime's own ~57 descriptors, 64 leaves a handful: these work or fail typed.
        recorder.Metric("fd.beforeWarmUp", ProcFs.OpenDescriptorCount());
        Expect(recorder, "spawn with the few descriptors left", Attempt(() =>
        {
            using ChildProcess warm = ChildProcess.Spawn("/bin/true", [], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
            warm.Wait(StepLimit);
        }), "EMFILE");
        Expect(recorder, "fork with the few descriptors left", Attempt(() =>
        {
            using ChildProcess warm = ChildProcess.Fork(static () => { }, new ForkOptions { Channel = true });
            warm.Wait(StepLimit);
        }), "EMFILE");
        Expect(recorder, "socketpair with the few descriptors left", Attempt(() => Posix.SocketPair().Dispose()), "EMFILE");
        int before = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.start", before);

        var pipes = new List<PipeEnds>();
        Exception? pipeError = null;
        try
        {
            for (int i = 0; i < 200; i++)
            {
                pipes.Add(Posix.Pipe());
            }
        }
        catch (Exception ex)
        {
            pipeError = ex;
        }

        recorder.Metric("pipesOpened", pipes.Count);
        Expect(recorder, "pipe at the limit", pipeError, "EMFILE");
        pipes.ForEach(p => p.Dispose());

        using (var held = DescriptorHog.Fill())
        {
            recorder.Metric("fd.heldToExhaust", held.Count);
            Expect(recorder, "dup at the limit", held.Failure ?? new InvalidOperationException("no limit reached"), "EMFILE");
            Expect(recorder, "spawn at the limit", Attempt(() => ChildProcess.Spawn("/bin/true", [], new SpawnOptions { StandardOutput = StdioRedirect.Pipe }).Dispose()), "EMFILE");
            Expect(recorder, "fork with a channel at the limit", Attempt(() => ChildProcess.Fork(static () => { }, new ForkOptions { Channel = true }).Dispose()), "EMFILE");
            Expect(recorder, "socketpair at the limit", Attempt(() => Posix.SocketPair().Dispose()), "EMFILE");
        }

        // The handful of descriptors back: spawn behaves as before the limit (works or fails typed).
        Expect(recorder, "spawn after the limit", Attempt(() =>
        {
            using ChildProcess child = ChildProcess.Spawn("/bin/true", [], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
            if (!child.Wait(StepLimit) || !child.Status!.IsSuccess)
            {
                throw new InvalidOperationException($"/bin/true: {child.Status?.ToString() ?? "did not end"}");
            }
        }), "EMFILE");
        int after = ProcFs.OpenDescriptorCount();
        recorder.Metric("fd.end", after);
        recorder.Check("descriptors back to start", after <= before, $"fd {before}→{after}");
        return recorder.Finish();
    }

    /// <summary>A pool at the descriptor limit: start fails typed; below it, a pool starts and works.</summary>
    public static int OpenFilesPool(CaseContext context, StartMethod method)
    {
        CaseRecorder recorder = context.Recorder;
        recorder.Metric("method", method.ToString());
        RecordIdentity(recorder, ResourceKind.OpenFiles);

        // Worked before the limit (success paths loaded), as a real process would have; with the
        // runtime's own ~57 descriptors, 64 leaves a handful: the pool works or fails typed.
        recorder.Metric("step", "pool with the few descriptors left");
        Expect(recorder, "pool with the few descriptors left", Attempt(() => RunSmallPool(method, recorder)), "EMFILE");
        using (var held = DescriptorHog.Fill())
        {
            recorder.Metric("fd.heldToExhaust", held.Count);
            recorder.Metric("step", "pool start at the limit");
            Expect(recorder, "pool start at the limit", Attempt(() => ProcessPool.Start(Options(method)).Dispose()), "EMFILE");
        }

        recorder.Metric("step", "pool below the limit");

        // The few descriptors back: the pool works or fails typed, as before the limit.
        Expect(recorder, "pool after the limit", Attempt(() => RunSmallPool(method, recorder)), "EMFILE");
        return recorder.Finish();
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

/// <summary>Holds every free descriptor (duplicates of stdin) until disposed.</summary>
internal sealed class DescriptorHog : IDisposable
{
    private readonly List<FileDescriptorHandle> _held = [];

    public int Count => _held.Count;

    /// <summary>The error that stopped the duplicates: it should be PosixException dup: EMFILE.</summary>
    public Exception? Failure { get; private set; }

    public static DescriptorHog Fill()
    {
        var hog = new DescriptorHog();
        using var source = new FileDescriptorHandle(0, ownsHandle: false);
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
