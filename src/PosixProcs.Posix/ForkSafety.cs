using System.Globalization;

namespace PosixProcs;

/// <summary>
/// Detects the conditions under which fork() from .NET crashes the parent or hangs the
/// child (measured; see README "Fork from .NET"), so that <see cref="Posix.Fork"/> can
/// refuse with a message that says how to fix it.
/// </summary>
/// <remarks>
/// How each hazard is detected, and the blind spots:
/// <list type="bullet">
/// <item>W^X: on Linux, the double mapping is looked for in /proc/self/maps
/// (<c>/memfd:doublemapper</c>), which is the hazard itself. Elsewhere the setting is read:
/// the <c>DOTNET_EnableWriteXorExecute</c> environment variable, else the runtimeconfig
/// knob <c>System.Runtime.EnableWriteXorExecute</c>; enabled by default.</item>
/// <item>Tiered compilation: <c>DOTNET_TieredCompilation</c> (or <c>COMPlus_</c>), else the
/// runtimeconfig knob <c>System.Runtime.TieredCompilation</c>; enabled by default.</item>
/// <item>Background GC: server GC (<see cref="System.Runtime.GCSettings.IsServerGC"/>), or
/// concurrent GC per <c>DOTNET_gcConcurrent</c>, else the runtimeconfig knob
/// <c>System.GC.Concurrent</c>; enabled by default.</item>
/// <item>Running threads (Linux only): every other thread is sampled from /proc/self/task
/// (state and exact CPU time from schedstat) every 2 ms for up to the caller's wait
/// (<see cref="DefaultWaitForQuietThreads"/> by default); the check passes at the first
/// sample in which no other thread may be running managed code, and otherwise reports the
/// threads running in the last sample with the CPU time they used meanwhile. A thread counts
/// as running when it is in state R and either was not seen asleep during the check or has
/// used CPU time since it was last seen asleep: a thread woken from a wait that is still
/// waiting for a CPU on a busy machine has not left its blocking call, where the runtime
/// keeps it in preemptive mode, which a fork does not harm. The runtime's threads that never
/// run managed code (<c>.NET SynchManag</c>, <c>.NET EventPipe</c>, <c>.NET Debugger</c>,
/// <c>.NET DebugPipe</c>) are never counted. A busy machine therefore delays a fork by
/// at most a few milliseconds and never refuses it; a thread that keeps running managed
/// code (a loop) is waited for, then refused.
/// After the fork the parent samples again, while the child waits (in C, before any managed
/// code runs in it): a thread that used CPU time, started or ended since the last sample may
/// have held a runtime lock at the moment of the fork (a collection it had started, a thread
/// it was creating, code it was compiling), which the child would inherit held by nobody and
/// hang on for ever (measured: a child stuck on a runtime mutex whose owner was a parent's
/// thread-pool thread). That child is ended before it runs anything, reaped, and the fork is
/// tried again within the same wait (<see cref="AbandonedForks"/> counts them).
/// Blind spots: a thread that holds a lock while it sleeps (a lock held across a blocking
/// call: the child inherits it held, and hangs when it takes it); a thread
/// that runs only native code in state R (counted although it is harmless: fork from a
/// process whose threads are idle, or use spawn); a thread asleep in cooperative mode inside
/// the runtime (rare, not visible from /proc); without schedstat (coarse CPU times) every
/// thread in state R is counted; on macOS there is no /proc, so this check finds nothing
/// there. If /proc cannot be read (EMFILE), the check throws <see cref="PosixException"/>
/// rather than guess.</item>
/// </list>
/// </remarks>
public static class ForkSafety
{
    private static readonly TimeSpan RunningThreadSampleInterval = TimeSpan.FromMilliseconds(2);
    private static long s_abandonedForks;
    private static readonly Lazy<bool> WriteXorExecute = new(DetectWriteXorExecute);

    /// <summary>What to set so that a program can fork: the runtimeconfig knobs, as MSBuild items.</summary>
    public const string Fix =
        "Fork needs three runtime settings, read at start-up. Import build/PosixProcs.Posix.props (see README), or add to the project file: " +
        "<ItemGroup><RuntimeHostConfigurationOption Include=\"System.Runtime.EnableWriteXorExecute\" Value=\"false\" />" +
        "<RuntimeHostConfigurationOption Include=\"System.Runtime.TieredCompilation\" Value=\"false\" />" +
        "<RuntimeHostConfigurationOption Include=\"System.GC.Concurrent\" Value=\"false\" /></ItemGroup> (and no server GC); " +
        "or run with DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 DOTNET_gcConcurrent=0.";

    /// <summary>Whether the runtime double-maps JIT-ed code (W^X), which a forked child would share with the parent.</summary>
    public static bool IsWriteXorExecuteActive => WriteXorExecute.Value;

    /// <summary>Whether tiered compilation (and so its background worker thread) is on.</summary>
    public static bool IsTieredCompilationEnabled =>
        ReadSwitch("TieredCompilation", "System.Runtime.TieredCompilation") ?? true;

    /// <summary>Whether the GC runs background (concurrent) or server collections, whose threads a forked child lacks.</summary>
    public static bool IsBackgroundGarbageCollectionEnabled =>
        System.Runtime.GCSettings.IsServerGC || (ReadSwitch("gcConcurrent", "System.GC.Concurrent") ?? true);

    /// <summary>
    /// How long the guard waits, by default, for other threads to stop running managed code
    /// before it refuses: 2 s. Only a thread that keeps running is waited for this long; a
    /// thread woken on a busy machine settles within milliseconds, but one with real work
    /// (the finalizer after a collection) gets a small share of a saturated machine's CPUs,
    /// and the check after the fork refuses any thread that ran meanwhile: 500 ms was seen
    /// to be too short for a fresh process's first fork beside stress-ng.
    /// </summary>
    public static TimeSpan DefaultWaitForQuietThreads { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Finds the hazards that would make a fork unsafe right now.</summary>
    /// <returns>The hazards found; <see cref="ForkHazards.None"/> if none.</returns>
    public static ForkHazards Check() => Check(out _);

    /// <summary>Finds the hazards, and the names of threads that were seen running.</summary>
    /// <param name="runningThreads">Names (and ids) of other threads seen running, if any.</param>
    /// <param name="waitForQuietThreads">How long to wait for other threads to stop running; default <see cref="DefaultWaitForQuietThreads"/>.</param>
    /// <returns>The hazards found.</returns>
    /// <exception cref="PosixException">/proc could not be read to see the threads (EMFILE: no descriptor left).</exception>
    public static ForkHazards Check(out IReadOnlyList<string> runningThreads, TimeSpan? waitForQuietThreads = null)
    {
        ForkHazards found = ForkHazards.None;
        if (IsWriteXorExecuteActive)
        {
            found |= ForkHazards.WriteXorExecute;
        }

        if (IsTieredCompilationEnabled)
        {
            found |= ForkHazards.TieredCompilation;
        }

        if (IsBackgroundGarbageCollectionEnabled)
        {
            found |= ForkHazards.BackgroundGarbageCollection;
        }

        runningThreads = FindRunningThreads(new RunningThreadTracker(), CheckedWait(waitForQuietThreads));
        if (runningThreads.Count > 0)
        {
            found |= ForkHazards.RunningThreads;
        }

        return found;
    }

    /// <summary>
    /// <see cref="EnsureSafe"/> for a fork about to happen: returns the tracker whose last
    /// sample found every other thread quiet, so that the parent can check, after the fork,
    /// that none of them ran meanwhile (<see cref="RunningThreadTracker.RanSinceLastSample"/>).
    /// Null when threads are not checked (the hazard is accepted, or there is no /proc).
    /// </summary>
    internal static RunningThreadTracker? EnsureSafeForFork(ForkHazards accepted, TimeSpan waitForQuietThreads)
    {
        ForkHazards found = ForkHazards.None;
        found |= IsWriteXorExecuteActive ? ForkHazards.WriteXorExecute : ForkHazards.None;
        found |= IsTieredCompilationEnabled ? ForkHazards.TieredCompilation : ForkHazards.None;
        found |= IsBackgroundGarbageCollectionEnabled ? ForkHazards.BackgroundGarbageCollection : ForkHazards.None;
        found &= ~accepted;
        if (found != ForkHazards.None)
        {
            throw new ForkHazardException(found, Describe(found));
        }

        if ((accepted & ForkHazards.RunningThreads) != 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var tracker = new RunningThreadTracker();
        List<string> running = FindRunningThreads(tracker, waitForQuietThreads);
        if (running.Count > 0)
        {
            throw new ForkHazardException(ForkHazards.RunningThreads, Describe(ForkHazards.RunningThreads, running));
        }

        return tracker;
    }

    /// <summary>
    /// How many children this process forked and ended at once, before anything ran in them,
    /// because another thread ran while the process forked (the fork was then tried again):
    /// a measure of how busy the other threads are when this process forks.
    /// </summary>
    public static long AbandonedForks => Interlocked.Read(ref s_abandonedForks);

    internal static void CountAbandonedFork() => Interlocked.Increment(ref s_abandonedForks);

    /// <summary>The wait for quiet threads a caller asked for, checked; the default when null.</summary>
    internal static TimeSpan WaitOrDefault(TimeSpan? wait) => CheckedWait(wait);

    /// <summary>Throws unless fork is safe, ignoring the hazards the caller accepts.</summary>
    /// <param name="accepted">Hazards to ignore (for demonstrations of the hazard itself).</param>
    /// <param name="waitForQuietThreads">How long to wait for other threads to stop running; default <see cref="DefaultWaitForQuietThreads"/>.</param>
    /// <exception cref="ForkHazardException">A hazard that was not accepted was found.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The wait is negative.</exception>
    /// <exception cref="PosixException">/proc could not be read to see the threads (EMFILE: no descriptor left).</exception>
    public static void EnsureSafe(ForkHazards accepted = ForkHazards.None, TimeSpan? waitForQuietThreads = null)
    {
        ForkHazards found = Check(out IReadOnlyList<string> threads, waitForQuietThreads) & ~accepted;
        if (found != ForkHazards.None)
        {
            throw new ForkHazardException(found, Describe(found, threads));
        }
    }

    /// <summary>A message that names each hazard, why it matters, and the fix.</summary>
    /// <param name="hazards">The hazards.</param>
    /// <param name="runningThreads">Threads seen running, for <see cref="ForkHazards.RunningThreads"/>.</param>
    /// <returns>The message.</returns>
    public static string Describe(ForkHazards hazards, IReadOnlyList<string>? runningThreads = null)
    {
        var parts = new List<string>();
        if (hazards.HasFlag(ForkHazards.WriteXorExecute))
        {
            parts.Add("W^X is active: the JIT's code heap is double-mapped through a shared memfd, so a forked child that runs managed code would corrupt the PARENT's code (it crashes with SIGSEGV or SIGFPE).");
        }

        if (hazards.HasFlag(ForkHazards.TieredCompilation))
        {
            parts.Add("Tiered compilation is on: its background worker can hold a runtime lock at the moment of fork, and the child then hangs for ever (it ignores SIGTERM).");
        }

        if (hazards.HasFlag(ForkHazards.BackgroundGarbageCollection))
        {
            parts.Add("Concurrent (background) or server GC is on: its GC threads do not exist in a forked child, which aborts (SIGABRT) the first time it needs a background collection.");
        }

        if (hazards.HasFlag(ForkHazards.RunningThreads))
        {
            string names = runningThreads is { Count: > 0 } ? string.Join(", ", runningThreads) : "unknown";
            parts.Add($"Other threads are running managed code ({names}): a child forked while another thread runs managed code aborts at its first GC. Fork before starting threads or while they wait, from a single-threaded process, or use spawn.");
        }

        ForkHazards fix = hazards & (ForkHazards.WriteXorExecute | ForkHazards.TieredCompilation | ForkHazards.BackgroundGarbageCollection);
        return "fork refused: " + string.Join(" ", parts) + (fix != ForkHazards.None ? " Fix: " + Fix : string.Empty);
    }

    /// <summary>
    /// Compiles the guard's thread check when the library is first used. Compiling a method
    /// makes the runtime open the framework assemblies it refers to; in a process that has
    /// run out of descriptors by the time it first forks, that would fail with a
    /// FileNotFoundException for System.Threading.Thread instead of the guard's own
    /// <c>EMFILE</c>. Compiled now, while descriptors are free, the guard can always say why.
    /// The Linux calls made through Tmds.LibC are compiled too: the first of them loads that
    /// assembly and the netstandard facade, and out of descriptors pipe2 would otherwise fail
    /// with a FileNotFoundException for netstandard instead of <c>pipe2: EMFILE</c>.
    /// </summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Only compiles the fork guard and the Tmds.LibC calls ahead of need; no state, no side effect.")]
    internal static void PrepareThreadCheck()
    {
        const System.Reflection.BindingFlags Any = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic |
            System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly;
        Type[] types = OperatingSystem.IsLinux()
            ? [typeof(ForkSafety), typeof(RunningThreadTracker), typeof(ThreadSample), typeof(Errors), typeof(Interop.LinuxLibC)]
            : [typeof(ForkSafety), typeof(RunningThreadTracker), typeof(ThreadSample), typeof(Errors)];
        foreach (Type type in types)
        {
            foreach (System.Reflection.MethodInfo method in type.GetMethods(Any))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && method.GetMethodBody() is not null)
                {
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }
    }

    private static TimeSpan CheckedWait(TimeSpan? wait)
    {
        TimeSpan value = wait ?? DefaultWaitForQuietThreads;
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(wait));
        return value;
    }

    private static bool DetectWriteXorExecute()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/maps"))
                {
                    if (line.Contains("doublemapper", StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            }
            catch (IOException)
            {
                // No /proc (a restricted container): fall back to the setting.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise.
            }
        }

        return ReadSwitch("EnableWriteXorExecute", "System.Runtime.EnableWriteXorExecute") ?? true;
    }

    /// <summary>An environment variable (DOTNET_ or COMPlus_) wins over the runtimeconfig knob, as in the runtime.</summary>
    private static bool? ReadSwitch(string environmentName, string appContextName)
    {
        foreach (string prefix in new[] { "DOTNET_", "COMPlus_" })
        {
            string? value = Environment.GetEnvironmentVariable(prefix + environmentName);
            if (!string.IsNullOrEmpty(value))
            {
                return value.Trim() != "0";
            }
        }

        return AppContext.GetData(appContextName) switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool parsed) => parsed,
            string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) => number != 0,
            _ => null,
        };
    }

    private static List<string> FindRunningThreads(RunningThreadTracker tracker, TimeSpan waitForQuiet)
    {
        // Sample until one sample finds no thread running managed code, or the wait is
        // over; then report the threads running in the last sample (see RunningThreadTracker
        // for what "running" means and why state R alone is not enough).
        long deadline = Environment.TickCount64 + (long)waitForQuiet.TotalMilliseconds;
        while (true)
        {
            ThreadSample[]? threads = ThreadSample.SampleOthers();
            if (threads is null)
            {
                return []; // no /proc (macOS): this check cannot see threads there
            }

            List<ThreadSample> running = tracker.Observe(threads);
            if (running.Count == 0)
            {
                return [];
            }

            if (Environment.TickCount64 >= deadline)
            {
                return running.ConvertAll(tracker.Describe);
            }

            Thread.Sleep(RunningThreadSampleInterval);
        }
    }
}
