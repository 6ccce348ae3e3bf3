using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PosixProcs;

/// <summary>
/// Reaps zombie children that nobody else reaps: what a PID 1 (a container started without
/// <c>--init</c>) or a subreaper must do, or orphans pile up as zombies. Opt-in: the library
/// never reaps behind its user's back otherwise.
/// </summary>
/// <remarks>
/// <para>
/// It never waits for "any child" (waitpid(-1)), which would steal exit statuses. It lists
/// this process's children (/proc/self/task/*/children, else the ppid field of every
/// /proc/PID/stat), and reaps, by pid and with WNOHANG, each one that is a zombie (state Z),
/// is not owned by a <see cref="ChildProcess"/> that has yet to reap it, and has been a zombie
/// for longer than <see cref="OrphanReaperOptions.GracePeriod"/>, so that
/// System.Diagnostics.Process, which reaps its own children on SIGCHLD, keeps their exit
/// codes. It looks on every SIGCHLD (<see cref="PosixSignalRegistration"/>), again one grace
/// period later while zombies wait, and every <see cref="OrphanReaperOptions.SweepInterval"/>.
/// </para>
/// <para>
/// As PID 1 it does not register for SIGCHLD and sweeps on its timer only: there .NET's own
/// SIGCHLD handler, once installed (by a PosixSignalRegistration for SIGCHLD or by using
/// System.Diagnostics.Process), reaps every child with waitpid(-1) (measured on .NET 10), and
/// a <see cref="ChildProcess"/> then loses its child's status. A PID 1 that needs the statuses
/// of its own children must not use System.Diagnostics.Process.
/// </para>
/// <para>
/// Linux only (verified there, as PID 1 of a PID namespace and as a subreaper). macOS has no
/// /proc and no subreapers: <see cref="Start"/> throws <see cref="PlatformNotSupportedException"/>.
/// </para>
/// </remarks>
public sealed class OrphanReaper : IDisposable
{
    private readonly OrphanReaperOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _zombieSince = [];
    private readonly Timer _timer;
    private readonly PosixSignalRegistration? _sigchld;
    private readonly bool? _previousSubreaper;
    private long _reapedCount;
    private bool _disposed;

    private OrphanReaper(OrphanReaperOptions options)
    {
        _options = options;
        if (options.BecomeSubreaper)
        {
            _previousSubreaper = Posix.ChildSubreaper;
            Posix.ChildSubreaper = true;
        }

        _timer = new Timer(_ => SweepInBackground(), null, Timeout.Infinite, Timeout.Infinite);
        // As PID 1, .NET's own SIGCHLD handler, once installed, reaps every child itself
        // (waitpid(-1), measured on .NET 10), ChildProcess children included: there the reaper
        // does not ask for SIGCHLD and relies on its timer.
        _sigchld = Environment.ProcessId == 1 ? null : PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => Wake());
        Wake();
    }

    /// <summary>
    /// The error that stopped the last background sweep (a failed waitpid or /proc read), or
    /// null. The reaper goes on sweeping; <see cref="ReapNow"/> throws such errors directly.
    /// </summary>
    public Exception? LastError { get; private set; }

    /// <summary>How many children this reaper has reaped.</summary>
    public long ReapedCount => Interlocked.Read(ref _reapedCount);

    /// <summary>Starts reaping orphans.</summary>
    /// <param name="options">Subreaper, grace period, sweep interval, callback.</param>
    /// <returns>The reaper; dispose it to stop (and give up the subreaper role it took).</returns>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="PosixException">prctl failed.</exception>
    public static OrphanReaper Start(OrphanReaperOptions? options = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("OrphanReaper needs Linux: it lists children from /proc and uses PR_SET_CHILD_SUBREAPER.");
        }

        return new OrphanReaper(options ?? new OrphanReaperOptions());
    }

    /// <summary>Looks for zombies now and reaps those past their grace period.</summary>
    /// <returns>How many this call reaped.</returns>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public int ReapNow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Sweep();
    }

    /// <summary>Stops reaping and restores the subreaper setting it changed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _sigchld?.Dispose();
        _timer.Dispose();
        if (_previousSubreaper is bool previous)
        {
            Posix.ChildSubreaper = previous;
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _timer.Change(0, Timeout.Infinite);
            }
        }
    }

    private void SweepInBackground()
    {
        try
        {
            Sweep();
            LastError = null;
        }
        catch (Exception ex) when (ex is PosixException or IOException or UnauthorizedAccessException)
        {
            // A timer callback has nobody to throw to: keep it for LastError and look again later.
            LastError = ex;
            lock (_gate)
            {
                if (!_disposed)
                {
                    _timer.Change(_options.SweepInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private int Sweep()
    {
        var reaped = new List<(Pid Pid, WaitStatus Status)>();
        bool waiting;
        lock (_gate)
        {
            if (_disposed)
            {
                return 0;
            }

            long now = Stopwatch.GetTimestamp();
            var zombies = new HashSet<int>();
            foreach (int pid in Children())
            {
                if (ChildProcess.IsOwnedAndUnreaped(new Pid(pid)) || State(pid) != 'Z')
                {
                    continue;
                }

                zombies.Add(pid);
                if (!_zombieSince.TryGetValue(pid, out long since))
                {
                    _zombieSince[pid] = now;
                }
                else if (Stopwatch.GetElapsedTime(since, now) >= _options.GracePeriod && TryReap(new Pid(pid)) is WaitStatus status)
                {
                    reaped.Add((new Pid(pid), status));
                    zombies.Remove(pid);
                }
            }

            foreach (int gone in _zombieSince.Keys.Where(pid => !zombies.Contains(pid)).ToList())
            {
                _zombieSince.Remove(gone);
            }

            waiting = _zombieSince.Count > 0;
            _timer.Change(waiting ? _options.GracePeriod : _options.SweepInterval, Timeout.InfiniteTimeSpan);
        }

        Interlocked.Add(ref _reapedCount, reaped.Count);
        foreach ((Pid pid, WaitStatus status) in reaped)
        {
            _options.Reaped?.Invoke(pid, status);
        }

        return reaped.Count;
    }

    /// <summary>Reaps one zombie; null if someone else reaped it first (ECHILD), which is their right.</summary>
    private static WaitStatus? TryReap(Pid pid)
    {
        try
        {
            WaitStatus status = Posix.WaitPid(pid, WaitOptions.NoHang);
            return status.HasEnded ? status : null;
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ECHILD)
        {
            return null;
        }
    }

    /// <summary>This process's children: every thread's /proc children list, else a scan of /proc.</summary>
    private static IEnumerable<int> Children()
    {
        string[] tasks = Directory.GetDirectories("/proc/self/task");
        if (tasks.Length > 0 && File.Exists(Path.Combine(tasks[0], "children")))
        {
            var pids = new HashSet<int>();
            foreach (string task in tasks)
            {
                string? text = ReadOrNull(Path.Combine(task, "children")); // a thread may end meanwhile
                foreach (string field in (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    pids.Add(int.Parse(field, CultureInfo.InvariantCulture));
                }
            }

            return pids;
        }

        int self = Environment.ProcessId;
        return Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == self)
            .ToList();
    }

    private static char? State(int pid) => StatFields(pid) is { } fields ? fields[0][0] : null;

    private static int? ParentOf(int pid) => StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>/proc/PID/stat after the command name (which may hold spaces and parentheses): state, ppid, ...</summary>
    private static string[]? StatFields(int pid)
    {
        string? stat = ReadOrNull($"/proc/{pid}/stat");
        return stat is null ? null : stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null; // the process or thread has gone meanwhile
        }
    }
}
