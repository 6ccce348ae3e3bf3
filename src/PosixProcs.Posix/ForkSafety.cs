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
/// <item>Running threads (Linux only): every other thread's state is read from
/// /proc/self/task/*/stat every 5 ms for up to the caller's wait (100 ms by default); the
/// check passes at the first sample in which no other thread runs, and otherwise reports the
/// threads seen running (R) in every sample. Blind spots: a thread that starts running between the check and the fork;
/// a thread that runs only native code (reported although it is harmless); on macOS there
/// is no /proc, so this check finds nothing there.</item>
/// </list>
/// </remarks>
public static class ForkSafety
{
    private static readonly TimeSpan RunningThreadSampleInterval = TimeSpan.FromMilliseconds(5);
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

    /// <summary>How long the guard waits, by default, for other threads to stop running before it refuses: 100 ms.</summary>
    public static TimeSpan DefaultWaitForQuietThreads { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Finds the hazards that would make a fork unsafe right now.</summary>
    /// <returns>The hazards found; <see cref="ForkHazards.None"/> if none.</returns>
    public static ForkHazards Check() => Check(out _);

    /// <summary>Finds the hazards, and the names of threads that were seen running.</summary>
    /// <param name="runningThreads">Names (and ids) of other threads seen running, if any.</param>
    /// <param name="waitForQuietThreads">How long to wait for other threads to stop running; default <see cref="DefaultWaitForQuietThreads"/>.</param>
    /// <returns>The hazards found.</returns>
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

        runningThreads = FindRunningThreads(CheckedWait(waitForQuietThreads));
        if (runningThreads.Count > 0)
        {
            found |= ForkHazards.RunningThreads;
        }

        return found;
    }

    /// <summary>Throws unless fork is safe, ignoring the hazards the caller accepts.</summary>
    /// <param name="accepted">Hazards to ignore (for demonstrations of the hazard itself).</param>
    /// <param name="waitForQuietThreads">How long to wait for other threads to stop running; default <see cref="DefaultWaitForQuietThreads"/>.</param>
    /// <exception cref="ForkHazardException">A hazard that was not accepted was found.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The wait is negative.</exception>
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
            parts.Add($"Other threads are running ({names}): a child forked while another thread runs managed code aborts at its first GC. Fork before starting threads, from a single-threaded process, or use spawn.");
        }

        ForkHazards fix = hazards & (ForkHazards.WriteXorExecute | ForkHazards.TieredCompilation | ForkHazards.BackgroundGarbageCollection);
        return "fork refused: " + string.Join(" ", parts) + (fix != ForkHazards.None ? " Fix: " + Fix : string.Empty);
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

    private static List<string> FindRunningThreads(TimeSpan waitForQuiet)
    {
        var running = new List<string>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return running;
        }

        // A thread that is busy for a moment (the finalizer after a GC, the runtime's signal
        // thread woken by a child's exit, a thread-pool worker finishing an item) settles
        // quickly: sample every thread until one sample finds none running, or the wait is
        // over. Threads seen running in every sample are the ones reported.
        string? self = CurrentThreadId();
        long deadline = Environment.TickCount64 + (long)waitForQuiet.TotalMilliseconds;
        HashSet<string>? always = null;
        HashSet<string> now;
        while (true)
        {
            now = [];
            foreach (string taskDir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string tid = Path.GetFileName(taskDir);
                if (tid != self && ReadThreadState(taskDir) == 'R')
                {
                    now.Add(tid);
                }
            }

            if (now.Count == 0)
            {
                return running;
            }

            always = always is null ? now : [.. always.Intersect(now)];
            if (Environment.TickCount64 >= deadline)
            {
                break;
            }

            Thread.Sleep(RunningThreadSampleInterval);
        }

        running.AddRange((always.Count > 0 ? always : now).Select(tid => $"{ReadThreadName(tid)} (tid {tid})"));
        return running;
    }

    private static string? CurrentThreadId()
    {
        try
        {
            // /proc/thread-self -> "<pid>/task/<tid>"
            string? target = new FileInfo("/proc/thread-self").LinkTarget;
            return target is null ? null : Path.GetFileName(target);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static char ReadThreadState(string taskDir)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(taskDir, "stat"));
            int close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
        }
        catch (IOException)
        {
            return '?'; // the thread ended meanwhile
        }
    }

    private static string ReadThreadName(string tid)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{tid}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
