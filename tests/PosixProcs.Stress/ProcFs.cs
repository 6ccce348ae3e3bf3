using System.Globalization;

namespace PosixProcs.Stress;

/// <summary>One process as /proc shows it.</summary>
/// <param name="Pid">Its pid.</param>
/// <param name="ParentPid">Its parent's pid.</param>
/// <param name="State">The state letter (R, S, D, Z, T...).</param>
internal sealed record ProcessEntry(int Pid, int ParentPid, char State)
{
    private IReadOnlyList<string>? _commandLine;

    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>Its argv (empty for zombies and kernel threads), read on first use: most scans never need it.</summary>
    public IReadOnlyList<string> CommandLine => _commandLine ??= ProcFs.CommandLine(Pid);

    public override string ToString() => $"{Pid} ({State}) {string.Join(' ', CommandLine)}";
}

/// <summary>
/// What the harness measures from /proc and /dev/shm (Linux): processes, descendants,
/// zombies, open descriptors and what they point to.
/// </summary>
internal static class ProcFs
{
    /// <summary>Every process visible now.</summary>
    public static IReadOnlyList<ProcessEntry> All()
    {
        var entries = new List<ProcessEntry>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>One process, or null if it is gone.</summary>
    public static ProcessEntry? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // it ended while we looked
        }

        // The command name is in parentheses and may itself hold spaces and parentheses.
        int close = stat.LastIndexOf(')');
        string[] fields = stat[(close + 2)..].Split(' ');
        return new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0]);
    }

    /// <summary>Whether <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => Read(pid) is { IsZombie: false };

    /// <summary>Every descendant of <paramref name="root"/> (children, their children, ...), the root excluded.</summary>
    public static IReadOnlyList<ProcessEntry> Descendants(int root)
    {
        IReadOnlyList<ProcessEntry> all = All();
        ILookup<int, ProcessEntry> byParent = all.ToLookup(e => e.ParentPid);
        var found = new List<ProcessEntry>();
        var pending = new Queue<int>([root]);
        while (pending.Count > 0)
        {
            foreach (ProcessEntry child in byParent[pending.Dequeue()])
            {
                found.Add(child);
                pending.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>
    /// Like <see cref="Descendants"/>, but walks /proc/PID/task/TID/children instead of reading
    /// every process on the machine: cheap enough for the killer to do every 20 ms on a loaded host.
    /// </summary>
    public static IReadOnlyList<ProcessEntry> DescendantsByChildLists(int root)
    {
        var found = new List<ProcessEntry>();
        var pending = new Queue<int>([root]);
        while (pending.Count > 0)
        {
            int parent = pending.Dequeue();
            string[] tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{parent}/task");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // it ended
            }

            foreach (string task in tasks)
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (string child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (Read(int.Parse(child, CultureInfo.InvariantCulture)) is { } entry)
                    {
                        found.Add(entry);
                        pending.Enqueue(entry.Pid);
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The direct children of <paramref name="parent"/>.</summary>
    public static IReadOnlyList<ProcessEntry> Children(int parent) => All().Where(e => e.ParentPid == parent).ToList();

    /// <summary>The numbers of the descriptors this process has open (not the one the listing itself used).</summary>
    public static IReadOnlyList<int> OpenDescriptors() =>
        Directory.GetFiles("/proc/self/fd")
            .Select(path => int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture))
            .Where(fd => new FileInfo($"/proc/self/fd/{fd}").Exists)
            .ToList();

    /// <summary>The number of descriptors this process has open.</summary>
    public static int OpenDescriptorCount() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>What each descriptor of <paramref name="pid"/> points to (e.g. "pipe:[1234]"), by number.</summary>
    public static IReadOnlyDictionary<int, string> DescriptorTargets(string pid = "self")
    {
        var targets = new SortedDictionary<int, string>();
        foreach (string path in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                string? target = new FileInfo(path).LinkTarget;
                if (target is not null)
                {
                    targets[int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture)] = target;
                }
            }
            catch (IOException)
            {
                // the descriptor that listed the directory is closed by now
            }
        }

        return targets;
    }

    /// <summary>The names in /dev/shm now (POSIX shared memory objects, semaphores).</summary>
    public static IReadOnlySet<string> SharedMemoryEntries() =>
        Directory.Exists("/dev/shm") ? Directory.GetFileSystemEntries("/dev/shm").ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    public static string[] CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
