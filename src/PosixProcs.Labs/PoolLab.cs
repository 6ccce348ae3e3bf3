using System.Diagnostics;
using PosixProcs.Pool;

namespace PosixProcs.Labs;

/// <summary>
/// ProcessPool (Python's multiprocessing.Pool / ProcessPoolExecutor) with its default start
/// method, the fork server: <see cref="ProcessPool.MapAsync"/> returns results in input order,
/// <see cref="ProcessPool.MapUnorderedAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, int, int?, CancellationToken)"/> yields them as they finish; a task that kills
/// its own worker fails alone with <see cref="WorkerCrashedException"/> and the worker is
/// replaced; a task over <see cref="ProcessPoolOptions.TaskTimeout"/> has its worker killed and
/// fails with <see cref="TimeoutException"/> while the pool keeps serving.
/// </summary>
public sealed class PoolLab : Lab
{
    private const int Workers = 2;
    private const int CrashingTask = 3;
    private const int CrashTasks = 8;
    private static readonly int[] SleepsMs = [400, 50, 250, 10, 150, 100];
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>The most the limit is stretched on a busy machine: still far below the 30 s task.</summary>
    private static readonly TimeSpan LongestTaskTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>A hard timeout ends the task long before its own 30 s: at most this after its limit.</summary>
    private static readonly TimeSpan PromptTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public override string Name => "pool";

    /// <inheritdoc/>
    public override string Title => "pool: ordered vs as-completed results, crash isolation, hard timeouts";

    /// <inheritdoc/>
    public override string Claim => "A process pool's map returns results in input order while its unordered map yields them as they finish, a task that kills its worker fails alone (WorkerCrashedException) and the worker is replaced, and a task over the time limit is killed (TimeoutException) while the pool keeps serving.";

    /// <inheritdoc/>
    public override string Summary => "ProcessPool (fork server): MapAsync in input order vs MapUnorderedAsync in completion order; a worker SIGKILLed mid-task; a hard TaskTimeout";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Give MapUnorderedAsync a chunkSize of 3: results now arrive three at a time, in chunk order inside each chunk.",
        "Set MaxRetries = 2 on the crashing pool: the poison task is tried three times, on three fresh workers, before it fails.",
        "Use StartMethod.Fork and a lambda that captures a local variable: it works there, and is refused with ForkServer (why?).",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        try
        {
            RunPools(recorder);
        }
        catch (Exception ex) when (ex is WorkerCrashedException or TaskFaultedException or OperationCanceledException or ArgumentException)
        {
            // Not expected where it happened: reported by Lab.Execute as a lab that did not run to the end.
            throw new InvalidOperationException($"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private static void RunPools(LabRecorder recorder)
    {
        recorder.Step($"1. Ordering: a pool of {Workers} workers (StartMethod.ForkServer, one task at a time per worker) runs tasks that sleep {string.Join(", ", SleepsMs)} ms and return their input.");
        long startTicks = Stopwatch.GetTimestamp();
        using (ProcessPool pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = Workers, PipelineDepth = 1 }))
        {
            recorder.Measure("poolStartMs", Stopwatch.GetElapsedTime(startTicks).TotalMilliseconds, "ms", $"ProcessPool.Start: the fork server and {Workers} workers running");
            Ordering(pool, recorder);
            recorder.Step($"2. Crash isolation: {CrashTasks} tasks on the same pool; task {CrashingTask} sends SIGKILL to its own worker.");
            CrashIsolation(pool, recorder);
        }

        TimeSpan limit = LimitFor(recorder.LoadAtStart);
        recorder.Step($"3. Hard timeout: a pool of 1 worker with TaskTimeout = {limit.TotalMilliseconds:0} ms; a task sleeps 30 s, then a quick task follows.");
        HardTimeout(recorder, limit);
    }

    private static T Await<T>(Task<T> task) => task.WaitAsync(Limit).GetAwaiter().GetResult();

    private static int SleepThenReturn(int ms)
    {
        Thread.Sleep(ms);
        return ms;
    }

    private static int SquareOrDie(int x)
    {
        if (x == CrashingTask)
        {
            Posix.Kill(Pid.Current, Signal.SIGKILL);
        }

        return x * x;
    }

    private static int SleepLong()
    {
        Thread.Sleep(TimeSpan.FromSeconds(30));
        return 0;
    }

    private static int WorkerPid() => Pid.Current.Value;

    private static void Ordering(ProcessPool pool, LabRecorder recorder)
    {
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<int> ordered = Await(pool.MapAsync(SleepsMs, SleepThenReturn, chunkSize: 1));
        double orderedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var unordered = new List<int>();
        var arrivals = new List<double>();
        start = Stopwatch.GetTimestamp();
        Await(Task.Run(async () =>
        {
            await foreach (int value in pool.MapUnorderedAsync(SleepsMs, SleepThenReturn).ConfigureAwait(false))
            {
                arrivals.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                unordered.Add(value);
            }

            return true;
        }));

        int slowest = SleepsMs.Max();
        recorder.Measure("inputOrder", string.Join(",", SleepsMs), "the inputs (each task's sleep in ms)");
        string orderedText = recorder.Measure("mapOrder", string.Join(",", ordered), "MapAsync's results");
        recorder.Measure("mapMs", orderedMs, "ms", "MapAsync, all results (it returns once, when the last is done)");
        string unorderedText = recorder.Measure("unorderedOrder", string.Join(",", unordered), "MapUnorderedAsync's results, as they arrived");
        recorder.Measure("unorderedArrivalsMs", string.Join(",", arrivals.Select(a => a.ToString("0", System.Globalization.CultureInfo.InvariantCulture))), "when each arrived, ms after the call");
        double first = recorder.Measure("firstUnorderedMs", arrivals.Count > 0 ? arrivals[0] : double.NaN, "ms", "the first unordered result arrived after");
        recorder.Measure("slowestTaskMs", slowest, "ms", "the slowest task's sleep");
        double slowestArrival = recorder.Measure("slowestArrivedMs", unordered.Contains(slowest) ? arrivals[unordered.IndexOf(slowest)] : double.NaN, "ms", "the slowest task's result arrived after");

        bool inOrder = ordered.SequenceEqual(SleepsMs);
        bool sameSet = unordered.Order().SequenceEqual(SleepsMs.Order());
        bool ascendingArrivals = arrivals.Zip(arrivals.Skip(1)).All(p => p.First <= p.Second);
        recorder.Check("mapKeepsInputOrder", $"MapAsync: {orderedText} = the inputs {string.Join(",", SleepsMs)}", inOrder);
        recorder.Check("unorderedEveryResultOnce", $"MapUnorderedAsync: {unorderedText}, every result once", sameSet && ascendingArrivals);

        // Completion order comes from the tasks' sleeps: a timing claim, which a saturated machine
        // (workers waiting hundreds of ms for a CPU) can blur.
        recorder.TimingCheck("unorderedFollowsCompletion", $"MapUnorderedAsync yielded {unorderedText}: completion order, not input order", !unordered.SequenceEqual(SleepsMs));
        recorder.Evidence = $"map {orderedText}; unordered {unorderedText} (first at {first:0} ms, slowest {slowest} ms); ";
        recorder.TimingCheck("firstBeforeSlowest", $"the first unordered result came at {first:0} ms, before the slowest task ({slowest} ms) finished at {slowestArrival:0} ms", first < slowest && first < slowestArrival);
    }

    private static void CrashIsolation(ProcessPool pool, LabRecorder recorder)
    {
        IReadOnlyList<Pid> before = pool.WorkerPids;
        List<Task<int>> tasks = Enumerable.Range(0, CrashTasks).Select(i => pool.SubmitAsync(SquareOrDie, i)).ToList();
        int succeeded = 0;
        bool rightResults = true;
        string crashStatus = "none";
        long crashedPid = 0;
        string otherFailures = string.Empty;
        for (int i = 0; i < tasks.Count; i++)
        {
            try
            {
                int result = Await(tasks[i]);
                succeeded++;
                rightResults &= result == i * i;
            }
            catch (WorkerCrashedException ex)
            {
                crashStatus = $"task {i}: worker {ex.Pid} {ex.Status}";
                crashedPid = ex.Pid.Value;
            }
            catch (Exception ex) when (ex is TaskFaultedException or TimeoutException)
            {
                otherFailures += $"task {i}: {ex.GetType().Name} ";
            }
        }

        int after = Await(pool.SubmitAsync(static () => 42));
        int[] servedBy = Await(pool.MapAsync(Enumerable.Range(0, 2 * Workers), static _ => WorkerPid(), chunkSize: 1)).ToArray();
        IReadOnlyList<Pid> workersAfter = pool.WorkerPids;

        recorder.Measure("workersBefore", string.Join(",", before), "the worker pids before");
        string crash = recorder.Measure("crashedTask", crashStatus, "the task whose worker died: WorkerCrashedException's pid and status");
        long ok = recorder.Measure("tasksSucceeded", succeeded, string.Empty, $"of {CrashTasks} tasks, succeeded with the right square");
        recorder.Measure("otherFailures", otherFailures.Length == 0 ? "none" : otherFailures.Trim(), "failures of any other kind");
        long afterResult = recorder.Measure("taskAfterCrash", after, string.Empty, "a task submitted after the crash returned");
        long workerCount = recorder.Measure("workersAfter", workersAfter.Count, "workers", "workers running after the crash");
        recorder.Measure("workersAfterPids", string.Join(",", workersAfter), "their pids");
        bool crashedGone = recorder.Measure("crashedWorkerGone", crashedPid != 0 && workersAfter.All(p => p.Value != crashedPid) && servedBy.All(p => p != crashedPid), "the dead worker is no longer in the pool");

        recorder.Evidence += $"SIGKILLed worker: {ok}/{CrashTasks - 1} others ok, {workerCount} workers after; ";
        recorder.Check("crashFailsOnlyItsTask", $"{crash}; {ok} of {CrashTasks - 1} other tasks succeeded", crashedPid != 0 && crash.Contains("SIGKILL", StringComparison.Ordinal) && ok == CrashTasks - 1 && rightResults);
        recorder.Check("poolReplacedWorker", $"afterwards the pool has {workerCount} of {Workers} workers (the dead one replaced) and served a new task ({afterResult})", workerCount == Workers && crashedGone && afterResult == 42);
    }

    /// <summary>
    /// The task limit: <see cref="TaskTimeout"/>, stretched by how little CPU a thread got at
    /// the lab's start (at most <see cref="LongestTaskTimeout"/>), so that on a saturated
    /// machine a quick task still fits in it while the 30 s task never does.
    /// </summary>
    private static TimeSpan LimitFor(MachineLoad? load)
    {
        double share = Math.Max(load?.CpuShare ?? 1, 0.01);
        return TimeSpan.FromMilliseconds(Math.Clamp(TaskTimeout.TotalMilliseconds / share, TaskTimeout.TotalMilliseconds, LongestTaskTimeout.TotalMilliseconds));
    }

    private static void HardTimeout(LabRecorder recorder, TimeSpan limit)
    {
        using ProcessPool pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 1, TaskTimeout = limit });
        Pid before = pool.WorkerPids.Single();
        long start = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            outcome = $"returned {Await(pool.SubmitAsync(static () => SleepLong()))}";
        }
        catch (TimeoutException ex)
        {
            outcome = $"{nameof(TimeoutException)}: {ex.Message}";
        }

        double failedAfter = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        int next = QuickTaskAfterTimeout(pool, out int quickTimeouts);
        recorder.Measure("taskTimeoutMs", limit.TotalMilliseconds, "ms", $"the pool's TaskTimeout ({TaskTimeout.TotalMilliseconds:0} ms, stretched up to {LongestTaskTimeout.TotalSeconds:0} s by the CPU share a thread got at the start)");
        string result = recorder.Measure("slowTaskOutcome", outcome, "the 30 s task");
        double after = recorder.Measure("slowTaskFailedAfterMs", failedAfter, "ms", "it failed after");
        recorder.Measure("workerBeforeTimeout", before.Value, string.Empty, "the worker that ran it");
        long served = recorder.Measure("workerAfterTimeout", next, string.Empty, "the worker that ran the next task");
        recorder.Measure("quickTasksOverLimit", quickTimeouts, "tasks", $"quick tasks that also ran over {limit.TotalMilliseconds:0} ms first (a saturated machine starves the fresh worker; each was killed and retried)");
        recorder.Evidence += $"30 s task → {result.Split(':')[0]} after {after:0} ms, next task served";
        recorder.Check("timeoutKillsTask", $"the 30 s task failed with {result.Split(':')[0]} after {after:0} ms, not before its limit of {limit.TotalMilliseconds:0} ms", result.StartsWith(nameof(TimeoutException), StringComparison.Ordinal) && after >= limit.TotalMilliseconds * 0.9);
        recorder.TimingCheck("timeoutIsPrompt", $"a hard timeout: it failed {after - limit.TotalMilliseconds:0} ms after its limit, long before the 30 s the task wanted (needed < {PromptTimeout.TotalMilliseconds:0} ms after)", after - limit.TotalMilliseconds < PromptTimeout.TotalMilliseconds);
        recorder.Check("poolKeepsServing", $"the next task ran on a fresh worker {served} (the killed one was {before}){(quickTimeouts > 0 ? $", after {quickTimeouts} quick tasks ran over the limit on the busy machine" : string.Empty)}", served != 0 && served != before.Value);
    }

    /// <summary>
    /// A quick task after the timeout. On a saturated machine even a quick task on the fresh
    /// worker can outrun the short limit (the worker waits for a CPU); the pool then kills that
    /// worker too, which is the hard timeout working, so the task is retried until one is served.
    /// </summary>
    private static int QuickTaskAfterTimeout(ProcessPool pool, out int timeouts)
    {
        timeouts = 0;
        long deadline = LabIo.Deadline(Limit);
        while (true)
        {
            try
            {
                return Await(pool.SubmitAsync(static () => WorkerPid()));
            }
            catch (TimeoutException) when (LabIo.Remaining(deadline) > TimeSpan.Zero)
            {
                timeouts++;
            }
        }
    }
}
