using System.Globalization;

namespace PosixProcs;

/// <summary>
/// The descendants of a process, read from /proc (Linux): every /proc/PID/stat gives a parent
/// and a process group. One snapshot: processes that start or end while it is read may be
/// missing or stale, which is why <see cref="ChildProcess.KillTree"/> stops what it finds
/// before it reads again.
/// </summary>
/// <remarks>
/// A process whose parent has ended has been re-parented (to init or a subreaper) and is no
/// longer found below its old ancestors: the walk sees only unbroken chains of parents.
/// </remarks>
internal static class ProcessTree
{
    /// <summary>A process as /proc/PID/stat shows it.</summary>
    internal readonly record struct Entry(int Pid, int Parent, int ProcessGroup, char State);

    /// <summary>Every process below <paramref name="root"/> (not the root itself), found through the parent links.</summary>
    /// <exception cref="PlatformNotSupportedException">No /proc (macOS).</exception>
    public static List<Entry> Descendants(Pid root)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Descendants are read from /proc, which only Linux has here.");
        }

        var byParent = new Dictionary<int, List<Entry>>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Read(pid) is { } entry)
            {
                if (!byParent.TryGetValue(entry.Parent, out List<Entry>? siblings))
                {
                    byParent[entry.Parent] = siblings = [];
                }

                siblings.Add(entry);
            }
        }

        var found = new List<Entry>();
        var pending = new Queue<int>([root.Value]);
        while (pending.TryDequeue(out int parent))
        {
            foreach (Entry child in byParent.GetValueOrDefault(parent) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>/proc/PID/stat: "PID (COMM) STATE PPID PGRP ..."; COMM may hold spaces and parentheses. Null once the process has gone.</summary>
    private static Entry? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null; // it ended while the table was read
        }

        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return new Entry(
            pid,
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            fields[0][0]);
    }
}
