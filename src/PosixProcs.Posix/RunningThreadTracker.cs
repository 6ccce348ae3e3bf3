using System.Globalization;

namespace PosixProcs;

/// <summary>
/// Decides, from successive <see cref="ThreadSample"/>s, which other threads may be running
/// managed code right now: the one condition under which a forked child aborts at its first
/// garbage collection (the runtime waits for a thread that does not exist in the child).
/// </summary>
/// <remarks>
/// <para>A thread counts as running when it is in state R and either it has not been seen
/// asleep during this check, or it has used CPU time since it was last seen asleep. State R
/// alone is not enough: on a saturated machine a thread just woken from a wait (by a
/// child's SIGCHLD, a finished GC, a timer) stays R while it waits for a CPU, and a thread
/// that has not executed since it slept is still inside the blocking call it slept in, in
/// the runtime's preemptive mode, which a fork does not harm. A thread that keeps using CPU
/// in state R (a loop in managed code) is never seen asleep, so it is always reported.</para>
/// <para>Threads that the runtime starts and that never run managed code are never
/// reported: <c>.NET SynchManag</c> (the PAL's synchronization manager), <c>.NET EventPipe</c>,
/// <c>.NET Debugger</c> and <c>.NET DebugPipe</c>. Threads that do run managed code now and
/// then (<c>.NET Finalizer</c>, <c>.NET SigHandler</c>, thread-pool and timer threads) get
/// the rule above.</para>
/// <para>The proof "has not run since it slept" needs exact CPU times (schedstat); with the
/// coarse clock-tick times of a kernel without schedstat, a thread in state R is reported
/// unless it is one of the runtime's native threads.</para>
/// </remarks>
internal sealed class RunningThreadTracker
{
    private static readonly string[] NativeOnlyRuntimeThreads =
        [".NET SynchManag", ".NET EventPipe", ".NET Debugger", ".NET DebugPipe"];

    // CPU time of each thread when it was last seen asleep (any state but R).
    private readonly Dictionary<int, long> _cpuTimeWhenAsleep = [];
    // CPU time of each thread at the first sample, to say how much a reported thread ran.
    private readonly Dictionary<int, long> _cpuTimeAtStart = [];
    // Every other thread as the last sample saw it.
    private Dictionary<int, ThreadSample> _lastSample = [];

    /// <summary>Whether the runtime's thread of this name never runs managed code.</summary>
    /// <param name="name">A thread name, as in /proc/self/task/TID/comm.</param>
    /// <returns>True for the runtime's native-only threads.</returns>
    public static bool IsNativeOnlyRuntimeThread(string name) => NativeOnlyRuntimeThreads.Contains(name, StringComparer.Ordinal);

    /// <summary>Takes one sample of every other thread and returns those that may be running managed code.</summary>
    /// <param name="threads">Every other thread of this process at one moment.</param>
    /// <returns>The threads counted as running; empty when a fork is safe from this check.</returns>
    public List<ThreadSample> Observe(IEnumerable<ThreadSample> threads)
    {
        var running = new List<ThreadSample>();
        var sample = new Dictionary<int, ThreadSample>();
        foreach (ThreadSample thread in threads)
        {
            sample[thread.Tid] = thread;
            _cpuTimeAtStart.TryAdd(thread.Tid, thread.CpuTimeNanoseconds);
            if (IsNativeOnlyRuntimeThread(thread.Name))
            {
                continue;
            }

            if (thread.State != 'R')
            {
                _cpuTimeWhenAsleep[thread.Tid] = thread.CpuTimeNanoseconds;
                continue;
            }

            bool wokenButNotYetRun = thread.CpuTimeExact
                && _cpuTimeWhenAsleep.TryGetValue(thread.Tid, out long asleep)
                && asleep == thread.CpuTimeNanoseconds;
            if (!wokenButNotYetRun)
            {
                running.Add(thread);
            }
        }

        _lastSample = sample;
        return running;
    }

    /// <summary>
    /// The threads that ran between the last <see cref="Observe"/> and <paramref name="threads"/>,
    /// a sample taken after the fork: those that used CPU time, started or ended meanwhile.
    /// Any of them may have held a runtime lock at the moment of the fork (a garbage
    /// collection it had started, a thread it was creating, code it was compiling), which the
    /// child inherits held by a thread it does not have: the child hangs at its first use of
    /// that lock (measured under a signal storm on a saturated machine). A thread that did not
    /// run at all holds what it held when it was last seen asleep.
    /// </summary>
    /// <param name="threads">Every other thread, sampled after the fork.</param>
    /// <returns>The threads that ran; empty when the child can be let go.</returns>
    /// <remarks>Without exact CPU times (no schedstat), a thread in state R counts as having run.</remarks>
    public List<ThreadSample> RanSinceLastSample(IEnumerable<ThreadSample> threads)
    {
        var ran = new List<ThreadSample>();
        var seen = new HashSet<int>();
        foreach (ThreadSample thread in threads)
        {
            seen.Add(thread.Tid);
            if (IsNativeOnlyRuntimeThread(thread.Name))
            {
                continue;
            }

            bool changed = !_lastSample.TryGetValue(thread.Tid, out ThreadSample before) // started meanwhile
                || (thread.CpuTimeExact ? thread.CpuTimeNanoseconds != before.CpuTimeNanoseconds : thread.State == 'R');
            if (changed)
            {
                ran.Add(thread);
            }
        }

        foreach (ThreadSample ended in _lastSample.Values)
        {
            if (!seen.Contains(ended.Tid) && !IsNativeOnlyRuntimeThread(ended.Name))
            {
                ran.Add(ended); // it ran to end
            }
        }

        return ran;
    }

    /// <summary>Names a running thread with the CPU time it used while it was watched.</summary>
    /// <param name="thread">A thread <see cref="Observe"/> returned.</param>
    /// <returns>For example <c>worker (tid 1234, 41 ms of CPU while watched)</c>.</returns>
    public string Describe(ThreadSample thread)
    {
        long used = thread.CpuTimeNanoseconds - _cpuTimeAtStart.GetValueOrDefault(thread.Tid, thread.CpuTimeNanoseconds);
        return string.Create(CultureInfo.InvariantCulture, $"{thread.Name} (tid {thread.Tid}, {used / 1_000_000.0:0.#} ms of CPU while watched)");
    }
}
