using System.Globalization;

namespace PosixProcs.SharedMemory;

/// <summary>
/// Tells a live process from a dead one that left its pid in shared memory: a zombie (killed
/// but not yet reaped) is dead, and so is a pid the kernel has since given to another process,
/// told apart by the start time recorded with the pid.
/// </summary>
/// <remarks>
/// Linux reads /proc/PID/stat: field 3 (state; Z and X are dead) and field 22 (starttime, in
/// clock ticks after boot). Elsewhere (macOS: unverified) only kill(pid, 0) is available: a
/// zombie or a recycled pid still counts as alive there, and start times read as 0 (unknown).
/// </remarks>
internal static class ProcessIdentity
{
    private static int _cachedPid;
    private static long _cachedStartTime;

    /// <summary>This process's start time (cached per pid, so a forked child reads its own).</summary>
    public static long CurrentStartTime()
    {
        int pid = Pid.Current.Value;
        if (Volatile.Read(ref _cachedPid) != pid)
        {
            _cachedStartTime = StartTime(new Pid(pid)) ?? 0;
            Volatile.Write(ref _cachedPid, pid);
        }

        return _cachedStartTime;
    }

    /// <summary>The start time of <paramref name="pid"/>; 0 where unknown (not Linux); null if no such process.</summary>
    public static long? StartTime(Pid pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Posix.ProcessExists(pid) ? 0 : null;
        }

        string[]? fields = StatFields(pid);
        return fields is null ? null : long.Parse(fields[19], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Is <paramref name="pid"/> alive and, when <paramref name="startTime"/> is known (not 0),
    /// the same process that recorded it?
    /// </summary>
    public static bool IsAlive(Pid pid, long startTime)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Posix.ProcessExists(pid);
        }

        string[]? fields = StatFields(pid);
        if (fields is null || fields[0] is "Z" or "X")
        {
            return false;
        }

        return startTime == 0 || long.Parse(fields[19], CultureInfo.InvariantCulture) == startTime;
    }

    /// <summary>/proc/PID/stat after the command name (which may hold spaces and parentheses): state, ppid, ...; null if gone.</summary>
    private static string[]? StatFields(Pid pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null; // no such process (ENOENT, or ESRCH while it is torn down)
        }

        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
