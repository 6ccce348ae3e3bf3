using System.Globalization;

namespace PosixProcs.Testing;

/// <summary>Reads /proc to check that nothing leaked: descriptors, zombies, children (Linux).</summary>
public static class ProcessInspector
{
    /// <summary>The number of descriptors this process has open (entries of /proc/self/fd).</summary>
    /// <returns>The count.</returns>
    public static int OpenDescriptorCount() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>
    /// The number of descriptors this process has open once earlier tests' garbage is gone:
    /// a handle an earlier test dropped without disposing is closed by its finalizer whenever
    /// the GC runs, and a CI run saw the count fall by 2 in the middle of a 200-spawn test.
    /// Counting after a full collection and the finalizers makes before and after comparable.
    /// </summary>
    /// <returns>The count.</returns>
    public static int SettledDescriptorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return OpenDescriptorCount();
    }

    /// <summary>The descriptor numbers open in this process.</summary>
    /// <returns>The numbers, sorted.</returns>
    public static IReadOnlyList<int> OpenDescriptors() =>
        Directory.GetFiles("/proc/self/fd").Select(p => int.Parse(Path.GetFileName(p), CultureInfo.InvariantCulture)).Order().ToList();

    /// <summary>The state letter of a process from /proc/PID/stat (R, S, D, Z, T...), or null if it is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <returns>The state, or null.</returns>
    public static char? State(int pid)
    {
        string? stat = ReadStat(pid);
        if (stat is null)
        {
            return null;
        }

        int close = stat.LastIndexOf(')');
        return stat[close + 2];
    }

    /// <summary>The children of <paramref name="parent"/>, with their states.</summary>
    /// <param name="parent">The parent's pid.</param>
    /// <returns>(pid, state) pairs.</returns>
    public static IReadOnlyList<(int Pid, char State)> Children(int parent)
    {
        var children = new List<(int, char)>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string? stat = ReadStat(pid);
            if (stat is null)
            {
                continue;
            }

            int close = stat.LastIndexOf(')');
            string[] fields = stat[(close + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                children.Add((pid, fields[0][0]));
            }
        }

        return children;
    }

    /// <summary>The zombie children of <paramref name="parent"/>.</summary>
    /// <param name="parent">The parent's pid.</param>
    /// <returns>Their pids.</returns>
    public static IReadOnlyList<int> Zombies(int parent) => Children(parent).Where(c => c.State == 'Z').Select(c => c.Pid).ToList();

    private static string? ReadStat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
    }
}
