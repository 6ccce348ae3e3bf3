using System.Diagnostics;
using System.Globalization;

namespace PosixProcs.Labs;

/// <summary>
/// The CPU-bound seed: naive Fibonacci of 30..34 on two workers, serial vs threads vs forked
/// processes. .NET has no global interpreter lock, so threads scale; processes scale too, but
/// each costs a fork. What processes buy: an unhandled exception in a thread ends the whole
/// process, in a worker process only that worker.
/// </summary>
public sealed class ThreadsVsProcessesLab : Lab
{
    private const int Workers = 2;
    private const string AutogroupSwitch = "/proc/sys/kernel/sched_autogroup_enabled";
    private const int Repeats = 4;
    private static readonly int[] SeedSizes = [30, 31, 32, 33, 34];
    private static readonly int[] TinySizes = [18, 19, 20, 21, 22];
    private static readonly int[] LargeSizes = [33, 34, 35, 36, 37];

    /// <inheritdoc/>
    public override string Name => "threads-vs-processes";

    /// <inheritdoc/>
    public override string Title => "threads vs processes: who scales, what it costs, what it buys";

    /// <inheritdoc/>
    public override string Claim => ".NET threads scale on CPU-bound work (no GIL) and so do forked processes, which cost a fork each; what processes buy is isolation: an unhandled exception kills the whole process when it happens in a thread, and only the worker when it happens in a worker process.";

    /// <inheritdoc/>
    public override string Summary => "naive fib 30..34 on 2 workers: serial vs threads vs processes; a crash in a thread vs in a worker process";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Run the same experiment in Python with threading and multiprocessing: where does the GIL show?",
        "Use fib 18..22: at what size does a fork pay for itself?",
        "Catch the exception inside the worker thread and report it instead; then run the pool lab: what does a process pool do with a worker that dies?",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        int[][] seedPlan = Plan(SeedSizes);
        int[][] tinyPlan = Plan(TinySizes);
        int[][] largePlan = Plan(LargeSizes);
        recorder.Step($"Work: naive fib({string.Join(",", SeedSizes)}) split over {Workers} workers as {Describe(seedPlan)} (balanced by cost); also fib {TinySizes[0]}..{TinySizes[^1]} (start-up dominates) and fib {LargeSizes[0]}..{LargeSizes[^1]} (start-up amortized). Each way runs several times; the best counts. {Environment.ProcessorCount} CPUs here.");

        // Order matters: every fork happens before the first thread is started in this process.
        Timing serial = Best(() => Serial(SeedSizes));
        Timing tinySerial = Best(() => Serial(TinySizes));
        Timing largeSerial = Best(() => Serial(LargeSizes), repeats: 2);
        Timing processes = Best(() => Processes(children, seedPlan), ResourceUsageTarget.Children);
        Timing tinyProcesses = Best(() => Processes(children, tinyPlan), ResourceUsageTarget.Children);
        Timing largeProcesses = Best(() => Processes(children, largePlan), ResourceUsageTarget.Children, repeats: 2);
        CrashInThread(children, recorder, out string threadCrash);
        CrashInWorkerProcess(children, recorder, out string processCrash, out bool siblingDelivered);
        Timing threads = Best(() => Threads(seedPlan));
        Timing tinyThreads = Best(() => Threads(tinyPlan));
        Timing largeThreads = Best(() => Threads(largePlan), repeats: 2);

        recorder.Step($"fib {SeedSizes[0]}..{SeedSizes[^1]} (the seed):");
        recorder.Measure("serialMs", serial.Ms, "ms", "serial, one thread");
        recorder.Measure("threadsMs", threads.Ms, "ms", $"{Workers} threads");
        recorder.Measure("processesMs", processes.Ms, "ms", $"{Workers} forked processes, results over pipes");
        double threadSpeedup = recorder.Measure("threadSpeedup", serial.Ms / threads.Ms, "×", "threads vs serial, wall clock");
        recorder.Measure("processSpeedup", serial.Ms / processes.Ms, "×", "processes vs serial, wall clock");
        recorder.Measure("serialParallelism", serial.Parallelism, "CPU-s/s", "serial: CPU seconds per wall second (at most 1)");
        recorder.Measure("threadsParallelism", threads.Parallelism, "CPU-s/s", "threads: CPU seconds per wall second");
        recorder.Measure("processesParallelism", processes.Parallelism, "CPU-s/s", "processes (children's CPU): CPU seconds per wall second");
        double threadScale = recorder.Measure("threadScaling", Math.Max(threadSpeedup, threads.Parallelism / serial.Parallelism), "×", "threads: the larger of wall speedup and CPU-per-second over serial's (the latter holds on a busy machine)");

        recorder.Step($"fib {LargeSizes[0]}..{LargeSizes[^1]} (start-up amortized):");
        recorder.Measure("largeSerialMs", largeSerial.Ms, "ms", "serial");
        recorder.Measure("largeThreadsMs", largeThreads.Ms, "ms", $"{Workers} threads");
        recorder.Measure("largeProcessesMs", largeProcesses.Ms, "ms", $"{Workers} processes");
        double largeProcessSpeedup = recorder.Measure("largeProcessSpeedup", largeSerial.Ms / largeProcesses.Ms, "×", "processes vs serial, wall clock");
        recorder.Measure("largeProcessesParallelism", largeProcesses.Parallelism, "CPU-s/s", "processes: CPU seconds per wall second");
        double processScale = recorder.Measure("processScaling", Math.Max(largeProcessSpeedup, largeProcesses.Parallelism / largeSerial.Parallelism), "×", "processes on amortized work: the larger of wall speedup and CPU-per-second over serial's");

        recorder.Step($"fib {TinySizes[0]}..{TinySizes[^1]} (start-up not amortized):");
        recorder.Measure("tinySerialMs", tinySerial.Ms, "ms", "serial");
        recorder.Measure("tinyThreadsMs", tinyThreads.Ms, "ms", $"{Workers} threads");
        recorder.Measure("tinyProcessesMs", tinyProcesses.Ms, "ms", $"{Workers} processes");
        recorder.Measure("processOverheadMs", tinyProcesses.Ms - tinyThreads.Ms, "ms", "what the processes cost over threads on tiny work (forks, pipes, waits)");

        long[] expected = serial.Results;
        bool correct = expected.SequenceEqual(threads.Results) && expected.SequenceEqual(processes.Results)
            && tinySerial.Results.SequenceEqual(tinyThreads.Results) && tinySerial.Results.SequenceEqual(tinyProcesses.Results)
            && largeSerial.Results.SequenceEqual(largeThreads.Results) && largeSerial.Results.SequenceEqual(largeProcesses.Results);
        recorder.Check("sameResults", $"all three ways computed the same fib values (fib(34) = {expected[^1]})", correct);
        recorder.Measure("schedAutogroup", ProcFiles.Available && File.Exists(AutogroupSwitch) && File.ReadAllText(AutogroupSwitch).Trim() == "1", "the kernel shares CPU time per session (sched_autogroup), not per thread: on a busy machine this session's share does not grow with its thread count");

        // Speed-ups are timing claims: a machine whose CPUs other work takes cannot show them.
        // They are then inconclusive (LabRecorder.TimingCheck), and the CPU time the workers
        // actually got (CPU-s/s) is in the description to show why.
        const double Needed = 1.3;
        string? oneCpu = Environment.ProcessorCount < Workers ? $"{Environment.ProcessorCount} CPU here: {Workers} workers cannot run at once" : null;
        recorder.TimingCheck("threadsScale", $"threads scaled {threadScale:0.##}× over serial on {Environment.ProcessorCount} CPUs (needed ≥ {Needed:0.#}×; wall {threadSpeedup:0.##}×, CPU-s/s {threads.Parallelism:0.##} vs {serial.Parallelism:0.##}): no GIL", threadScale >= Needed, oneCpu);
        recorder.TimingCheck("processesScale", $"on amortized work processes scaled {processScale:0.##}× (needed ≥ {Needed:0.#}×; wall {largeProcessSpeedup:0.##}×, CPU-s/s {largeProcesses.Parallelism:0.##} vs {largeSerial.Parallelism:0.##})", processScale >= Needed, oneCpu);
        recorder.TimingCheck("processesCost", $"on tiny work processes took {tinyProcesses.Ms:0.##} ms vs threads {tinyThreads.Ms:0.##} ms: a fork is not free", tinyProcesses.Ms > tinyThreads.Ms);
        recorder.Check("threadCrashKillsAll", $"an unhandled exception in one thread ended its whole process: {threadCrash}", threadCrash.StartsWith("killed by", StringComparison.Ordinal));
        recorder.Check("processCrashIsolated", $"the same exception in a worker process ended only that worker ({processCrash}); its sibling delivered its result and the lab process ({Pid.Current}) runs on", processCrash.StartsWith("killed by", StringComparison.Ordinal) && siblingDelivered);
        recorder.Evidence = $"fib 30..34: serial {serial.Ms:0} ms, threads {threads.Ms:0} ms ({threadScale:0.0}×), processes {processes.Ms:0} ms; amortized: processes {processScale:0.0}×; thread crash: process {threadCrash}; worker crash: sibling delivered, parent alive";
    }

    /// <summary>Naive Fibonacci: deliberately exponential, all CPU.</summary>
    /// <param name="n">The index.</param>
    /// <returns>fib(n).</returns>
    public static long Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);

    private static int[][] Plan(int[] sizes)
    {
        var plan = Enumerable.Range(0, Workers).Select(_ => new List<int>()).ToArray();
        double[] load = new double[Workers];
        foreach (int n in sizes.OrderDescending())
        {
            int least = Array.IndexOf(load, load.Min());
            plan[least].Add(n);
            load[least] += Math.Pow(1.618, n);
        }

        return plan.Select(p => p.ToArray()).ToArray();
    }

    private static string Describe(int[][] plan) => string.Join(" | ", plan.Select(p => string.Join(",", p)));

    /// <summary>
    /// Runs <paramref name="run"/> several times and keeps the fastest. Also measures CPU time
    /// per wall-clock second (parallelism): one thread can use at most 1, whatever else runs.
    /// </summary>
    private static Timing Best(Func<long[]> run, ResourceUsageTarget cpuOf = ResourceUsageTarget.Self, int repeats = Repeats)
    {
        Timing best = new(double.MaxValue, 0, []);
        for (int i = 0; i < repeats; i++)
        {
            TimeSpan cpu0 = CpuTime.Of(cpuOf);
            long start = Stopwatch.GetTimestamp();
            long[] results = run();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            double cpuMs = (CpuTime.Of(cpuOf) - cpu0).TotalMilliseconds;
            if (ms < best.Ms)
            {
                best = new Timing(ms, cpuMs / ms, results);
            }
        }

        return best;
    }


    private sealed record Timing(double Ms, double Parallelism, long[] Results);

    private static long[] Serial(int[] sizes) => sizes.Select(Fib).ToArray();

    private static long[] Collect(int[][] plan, Func<int, long[]> worker)
    {
        var byN = new Dictionary<int, long>();
        for (int w = 0; w < plan.Length; w++)
        {
            long[] values = worker(w);
            for (int i = 0; i < plan[w].Length; i++)
            {
                byN[plan[w][i]] = values[i];
            }
        }

        return byN.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToArray();
    }

    private static long[] Threads(int[][] plan)
    {
        var results = new long[plan.Length][];
        Thread[] threads = plan.Select((items, w) => new Thread(() => results[w] = items.Select(Fib).ToArray()) { Name = $"fib worker {w}" }).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        return Collect(plan, w => results[w]);
    }

    private static long[] Processes(Children children, int[][] plan)
    {
        var pipes = new PipeEnds[plan.Length];
        var pids = new Pid[plan.Length];
        try
        {
            for (int w = 0; w < plan.Length; w++)
            {
                PipeEnds pipe = pipes[w] = Posix.Pipe();
                int[] items = plan[w];
                pids[w] = children.Fork(() =>
                {
                    pipe.Read.Dispose();
                    LabIo.WriteText(pipe.Write, string.Join(' ', items.Select(n => Fib(n).ToString(CultureInfo.InvariantCulture))));
                    return 0;
                });
                pipe.Write.Dispose();
            }

            return Collect(plan, w =>
            {
                ReadOutcome text = LabIo.ReadToEnd(pipes[w].Read, TimeSpan.FromSeconds(60));
                WaitStatus status = children.Wait(pids[w], TimeSpan.FromSeconds(60));
                return text.EndOfFile && status.IsSuccess
                    ? text.Text.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()
                    : throw new InvalidOperationException($"worker {w} {status}, end of file: {text.EndOfFile}");
            });
        }
        finally
        {
            foreach (PipeEnds? pipe in pipes)
            {
                pipe?.Dispose();
            }
        }
    }

    private static void CrashInThread(Children children, LabRecorder recorder, out string outcome)
    {
        recorder.Step("A crash in a thread: a sacrificial child process runs two worker threads; worker 2 throws an unhandled exception while worker 1 computes fib(34).");
        using PipeEnds errors = Posix.Pipe();
        using PipeEnds results = Posix.Pipe();
        Pid sacrificial = children.Fork(() =>
        {
            errors.Read.Dispose();
            results.Read.Dispose();
            using FileDescriptorHandle stderr = Posix.Dup2(errors.Write, 2);
            var good = new Thread(() => LabIo.WriteText(results.Write, $"fib34={Fib(34)}\n")) { Name = "worker 1" };
            var bad = new Thread(() => throw new InvalidOperationException("a bug in worker 2")) { Name = "worker 2" };
            good.Start();
            bad.Start();
            good.Join();
            bad.Join();
            LabIo.WriteText(results.Write, "survived=yes\n");
            return 0;
        });
        errors.Write.Dispose();
        results.Write.Dispose();
        WaitStatus status = children.Wait(sacrificial, TimeSpan.FromSeconds(60));
        ReadOutcome lastWords = LabIo.ReadToEnd(errors.Read, TimeSpan.FromSeconds(5));
        ReadOutcome delivered = LabIo.ReadToEnd(results.Read, TimeSpan.FromSeconds(5));
        outcome = recorder.Measure("threadCrashProcess", status.ToString()!, "the process whose thread threw");
        recorder.Measure("threadCrashMessage", FirstLine(lastWords.Text), "its last words on stderr");
        recorder.Measure("threadCrashOtherResult", Report.Parse(delivered.Text).Has("fib34") ? "delivered" : "lost", "worker 1's result");
        recorder.Measure("threadCrashSurvived", Report.Parse(delivered.Text).Has("survived"), "the process went on after the exception");
    }

    private static void CrashInWorkerProcess(Children children, LabRecorder recorder, out string outcome, out bool siblingDelivered)
    {
        recorder.Step("A crash in a worker process: the lab forks two workers; worker 2 hits the same unhandled exception while worker 1 computes fib(34).");
        using PipeEnds result = Posix.Pipe();
        using PipeEnds errors = Posix.Pipe();
        Pid good = children.Fork(() =>
        {
            result.Read.Dispose();
            LabIo.WriteText(result.Write, $"fib34={Fib(34)}\n");
            return 0;
        });
        Pid bad = children.Fork(() =>
        {
            errors.Read.Dispose();
            using FileDescriptorHandle stderr = Posix.Dup2(errors.Write, 2);
            var thread = new Thread(() => throw new InvalidOperationException("a bug in worker 2")) { Name = "worker 2" };
            thread.Start();
            thread.Join();
            return 0;
        });
        result.Write.Dispose();
        errors.Write.Dispose();
        WaitStatus badStatus = children.Wait(bad, TimeSpan.FromSeconds(60));
        ReadOutcome delivered = LabIo.ReadToEnd(result.Read, TimeSpan.FromSeconds(60));
        WaitStatus goodStatus = children.Wait(good, TimeSpan.FromSeconds(60));
        ReadOutcome lastWords = LabIo.ReadToEnd(errors.Read, TimeSpan.FromSeconds(5));
        Report values = Report.Parse(delivered.Text);
        outcome = recorder.Measure("workerCrashStatus", badStatus.ToString()!, "the worker process that threw");
        recorder.Measure("workerCrashMessage", FirstLine(lastWords.Text), "its last words on stderr");
        recorder.Measure("siblingStatus", goodStatus.ToString()!, "the other worker");
        siblingDelivered = values.Has("fib34") && values.Number("fib34") == Fib(34) && goodStatus.IsSuccess;
        recorder.Measure("siblingResult", values.Has("fib34") ? values.Text("fib34") : "lost", "the other worker's fib(34)");
        recorder.Measure("parentAlive", true, $"the lab process ({Pid.Current}) is still running to record this");
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "(nothing)";
}
