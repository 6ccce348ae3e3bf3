using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PosixProcs.Labs;

/// <summary>What /proc tells about a process (Linux). Elsewhere these report "not available" instead of guessing.</summary>
public static class ProcFiles
{
    private static readonly byte[] SmapsBuffer = new byte[8192];

    /// <summary>Whether /proc exists here.</summary>
    public static bool Available => OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    /// <summary>
    /// This process's Private_Dirty from /proc/self/smaps_rollup in KiB: memory it wrote
    /// that no other process maps. Read into a buffer allocated once, so that measuring
    /// does not itself dirty much of the managed heap.
    /// </summary>
    /// <returns>KiB.</returns>
    /// <exception cref="PlatformNotSupportedException">No /proc (macOS).</exception>
    public static long PrivateDirtyKiB() => RollupField("Private_Dirty:");

    /// <summary>A field of /proc/self/smaps_rollup in KiB, e.g. <c>"Rss:"</c>.</summary>
    /// <param name="field">The field name with its colon.</param>
    /// <returns>KiB.</returns>
    /// <exception cref="PlatformNotSupportedException">No /proc (macOS).</exception>
    public static long RollupField(string field)
    {
        if (!Available)
        {
            throw new PlatformNotSupportedException("/proc/self/smaps_rollup exists on Linux only");
        }

        int length;
        using (SafeFileHandle handle = File.OpenHandle("/proc/self/smaps_rollup"))
        {
            length = RandomAccess.Read(handle, SmapsBuffer, 0);
        }

        ReadOnlySpan<byte> text = SmapsBuffer.AsSpan(0, length);
        ReadOnlySpan<byte> name = Encoding.ASCII.GetBytes(field);
        int at = text.IndexOf(name);
        if (at < 0)
        {
            throw new InvalidDataException($"/proc/self/smaps_rollup has no {field} line");
        }

        long value = 0;
        bool digits = false;
        foreach (byte b in text[(at + name.Length)..])
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                value = (value * 10) + (b - '0');
                digits = true;
            }
            else if (digits || b == '\n')
            {
                break;
            }
        }

        return value;
    }

    /// <summary>The state letter of a process from /proc/PID/stat (R, S, D, Z, T...), or null if it is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <returns>The state, or null.</returns>
    public static char? State(Pid pid) => StatFields(pid) is { } fields ? fields[0][0] : null;

    /// <summary>The parent of a process from /proc/PID/stat, or null if it is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <returns>The parent's pid, or null.</returns>
    public static Pid? ParentOf(Pid pid) => StatFields(pid) is { } fields ? new Pid(int.Parse(fields[1], CultureInfo.InvariantCulture)) : null;

    /// <summary>A process's command name (/proc/PID/comm), or "?" if it is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <returns>The name.</returns>
    public static string CommandName(Pid pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Where a descriptor of this process points (readlink /proc/self/fd/N), e.g. <c>pipe:[1234]</c>.</summary>
    /// <param name="fd">The descriptor.</param>
    /// <returns>The link's target.</returns>
    public static string DescriptorTarget(FileDescriptorHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        return new FileInfo($"/proc/self/fd/{fd.Number}").LinkTarget ?? "?";
    }

    /// <summary>The lines of /proc/self/maps that contain <paramref name="text"/>.</summary>
    /// <param name="text">What to look for, e.g. "doublemapper".</param>
    /// <returns>How many mappings match.</returns>
    public static int CountMappings(string text) =>
        Available ? File.ReadLines("/proc/self/maps").Count(line => line.Contains(text, StringComparison.Ordinal)) : 0;

    /// <summary>The processes whose parent is <paramref name="parent"/>, from /proc (empty where there is no /proc).</summary>
    /// <param name="parent">The parent.</param>
    /// <returns>Their pids.</returns>
    public static IReadOnlyList<Pid> ChildrenOf(Pid parent)
    {
        var children = new List<Pid>();
        if (!Available)
        {
            return children;
        }

        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                && number != Environment.ProcessId
                && ParentOf(new Pid(number)) == parent)
            {
                children.Add(new Pid(number));
            }
        }

        return children;
    }

    private static string[]? StatFields(Pid pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // FileNotFoundException or DirectoryNotFoundException: the process is gone
        }

        // "pid (comm) S ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
        int close = stat.LastIndexOf(')');
        return stat[(close + 2)..].Split(' ');
    }
}
