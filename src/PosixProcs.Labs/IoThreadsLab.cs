using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// The I/O-bound seed: two waits of one second each, one after the other, on two threads, and
/// in two forked processes. Each wait is a poll on a pipe nobody writes to, so the waiting
/// thread sleeps in the kernel until the timeout. Waiting needs no CPU: threads overlap the
/// waits as well as processes do, and processes only add what it costs to start them.
/// </summary>
public sealed class IoThreadsLab : Lab
{
    private const int Waits = 2;
    private static readonly TimeSpan WaitLength = TimeSpan.FromSeconds(1);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override string Name => "io-threads";

    /// <inheritdoc/>
    public override string Title => "io-threads: waits overlap on threads; processes add nothing for waiting";

    /// <inheritdoc/>
    public override string Claim => "Two 1 s I/O waits take 2 s one after the other and about 1 s on two threads, because a thread waiting in the kernel needs no CPU; two processes also take about 1 s, plus what starting them costs: for waiting, processes add nothing but that cost.";

    /// <inheritdoc/>
    public override string Summary => "two 1 s waits (poll on a silent pipe): in sequence, on 2 threads, in 2 forked processes; wall-clock and CPU time of each";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Replace the poll with a busy loop of the same length: now each thread needs a CPU of its own; compare with the threads-vs-processes lab.",
        "Make it 100 waits on 100 threads, then in 100 processes: what does each way cost in start time and memory (ps -o rss)?",
        "In Python: two threading.Thread(target=time.sleep, args=(1,)) overlap despite the GIL, because a sleeping or waiting thread releases it; a busy loop does not.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        recorder.Step($"Each wait: poll() on the read end of a pipe that nobody writes to, with a {WaitLength.TotalSeconds:0} s timeout. The waiting thread sleeps in the kernel until then. {Waits} waits, three ways; wall-clock time and CPU time (getrusage) of each way.");
        _ = WaitOnce(TimeSpan.Zero); // compiled before any fork, so the children do not JIT it on the clock

        // Every fork happens before this process starts a thread of its own.
        recorder.Step($"1. In {Waits} forked processes, each doing one wait; the parent forks both, then reaps both.");
        Timing processes = Measure(ResourceUsageTarget.Children, () =>
        {
            bool ok = InProcesses(children, out string statuses, out double forkMs);
            return (ok, statuses, forkMs);
        });
        recorder.Step("2. One after the other, on this thread.");
        Timing sequence = Measure(ResourceUsageTarget.Self, () => (Enumerable.Range(0, Waits).All(_ => WaitOnce(WaitLength)), string.Empty, 0));
        recorder.Step($"3. On {Waits} threads, one wait each, started together and joined.");
        Timing threads = Measure(ResourceUsageTarget.Self, () => (OnThreads(), string.Empty, 0));

        double waitMs = recorder.Measure("waitMs", WaitLength.TotalMilliseconds, "ms", "the length of one wait (poll timeout)");
        double sequenceMs = recorder.Measure("sequenceMs", sequence.WallMs, "ms", "wall-clock time of the waits one after the other");
        double threadsMs = recorder.Measure("threadsMs", threads.WallMs, "ms", $"wall-clock time of the waits on {Waits} threads");
        double processesMs = recorder.Measure("processesMs", processes.WallMs, "ms", $"wall-clock time of the waits in {Waits} forked processes, forks and reaping included");
        double forkMs = recorder.Measure("forkMs", processes.ForkMs, "ms", $"time to fork the {Waits} children");
        double sequenceCpuMs = recorder.Measure("sequenceCpuMs", sequence.CpuMs, "ms", "CPU time (user + system) of this process during the waits in sequence");
        double threadsCpuMs = recorder.Measure("threadsCpuMs", threads.CpuMs, "ms", "CPU time of this process during the waits on threads (thread start included)");
        double processesCpuMs = recorder.Measure("processesCpuMs", processes.CpuMs, "ms", "CPU time of the reaped children (their whole life, fork to exit)");
        recorder.Measure("processStatuses", processes.Statuses, "the children, reaped");
        recorder.Measure("threadSpeedUp", sequenceMs / threadsMs, "x", "sequence time / threads time");

        recorder.Check("everyWaitWaitedItsSecond", $"every wait ran to its timeout with nothing to read: sequence {sequenceMs:0} ms (≥ {Waits * waitMs:0}), threads {threadsMs:0} ms and processes {processesMs:0} ms (≥ {waitMs:0})", sequence.AllWaited && threads.AllWaited && processes.AllWaited && sequenceMs >= Waits * waitMs && threadsMs >= waitMs && processesMs >= waitMs);
        recorder.TimingCheck("threadsOverlapTheWaits", $"{Waits} waits took {threadsMs:0} ms on {Waits} threads against {sequenceMs:0} ms in sequence: under 1.5 waits means they overlapped", threadsMs < 1.5 * waitMs);
        recorder.TimingCheck("processesAddOnlyTheirStart", $"in processes {processesMs:0} ms against {threadsMs:0} ms on threads: {processesMs - threadsMs:0} ms more, of which {forkMs:0.#} ms forking; under half a wait more means processes bought nothing for waiting", processesMs - threadsMs < 0.5 * waitMs);
        recorder.TimingCheck("waitingUsesNoCpu", $"the waits in sequence used {sequenceCpuMs:0.#} ms of CPU in {sequenceMs:0} ms; on threads {threadsCpuMs:0.#} ms; in processes {processesCpuMs:0.#} ms (a process's start is most of it): waiting itself costs under 5% of its time", sequenceCpuMs < 0.05 * sequenceMs);
        recorder.Evidence = $"{Waits} × {waitMs:0} ms waits: {sequenceMs:0} ms in sequence, {threadsMs:0} ms on threads, {processesMs:0} ms in processes ({forkMs:0.#} ms of forking); CPU {sequenceCpuMs:0.#} ms while waiting {sequenceMs:0} ms";
    }

    /// <summary>One wait; true if poll ran to its timeout with nothing to read, as it must.</summary>
    private static bool WaitOnce(TimeSpan length)
    {
        using PipeEnds silent = Posix.Pipe();
        long start = Stopwatch.GetTimestamp();
        PollEvents events = Posix.Poll(silent.Read, PollEvents.In, length);
        return events == PollEvents.None && Stopwatch.GetElapsedTime(start) >= length;
    }

    private static bool OnThreads()
    {
        var results = new bool[Waits];
        Thread[] threads = [.. Enumerable.Range(0, Waits).Select(i => new Thread(() => results[i] = WaitOnce(WaitLength)) { Name = $"io-threads wait {i}" })];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        return results.All(r => r);
    }

    private static bool InProcesses(Children children, out string statuses, out double forkMs)
    {
        long start = Stopwatch.GetTimestamp();
        Pid[] pids = [.. Enumerable.Range(0, Waits).Select(_ => children.Fork(static () => WaitOnce(WaitLength) ? 0 : 3))];
        forkMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        WaitStatus[] ended = [.. pids.Select(pid => children.Wait(pid, ChildTimeout))];
        statuses = string.Join("; ", ended.Select(s => s.ToString()).Distinct());
        return ended.All(s => s == new WaitStatus.Exited(0));
    }

    private static Timing Measure(ResourceUsageTarget cpuOf, Func<(bool AllWaited, string Statuses, double ForkMs)> run)
    {
        TimeSpan cpu0 = CpuTime.Of(cpuOf);
        long start = Stopwatch.GetTimestamp();
        (bool allWaited, string statuses, double forkMs) = run();
        double wallMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return new Timing(wallMs, (CpuTime.Of(cpuOf) - cpu0).TotalMilliseconds, allWaited, statuses, forkMs);
    }


    private sealed record Timing(double WallMs, double CpuMs, bool AllWaited, string Statuses, double ForkMs);
}
