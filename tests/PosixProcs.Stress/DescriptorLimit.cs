using System.Reflection;

namespace PosixProcs.Stress;

/// <summary>
/// Puts this process at a chosen distance from RLIMIT_NOFILE: the soft limit is set just above
/// the highest open descriptor, so the next <c>free</c> new descriptors fit and the one after
/// fails with EMFILE, whatever the runtime happened to have open on this machine.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>
    /// Runs <paramref name="action"/> with exactly <paramref name="free"/> descriptor numbers
    /// left: every gap below the highest open descriptor is held (by duplicates of
    /// <paramref name="filler"/>) and the soft limit is set <paramref name="free"/> above it.
    /// Restores both after.
    /// </summary>
    public static T WithFreeNumbers<T>(FileDescriptorHandle filler, int free, Func<T> action)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(free);
        ResourceLimit original = Posix.GetResourceLimit(ResourceKind.OpenFiles);
        int highest = ProcFs.OpenDescriptors().Max();
        var gaps = new List<FileDescriptorHandle>();
        try
        {
            while (true)
            {
                FileDescriptorHandle gap = Posix.Duplicate(filler);
                if (gap.Number > highest)
                {
                    gap.Dispose();
                    break;
                }

                gaps.Add(gap);
            }

            Posix.SetResourceLimit(original with { Soft = (ulong)(highest + 1 + free) });
            try
            {
                return action();
            }
            finally
            {
                Posix.SetResourceLimit(original);
            }
        }
        finally
        {
            gaps.ForEach(g => g.Dispose());
        }
    }

    /// <summary>
    /// Loads every assembly this program references, directly or not. The runtime opens an
    /// assembly's file when code first needs it; at the descriptor limit that open fails
    /// (FileNotFoundException for PosixProcs.dll, and .NET 10's loader was seen closing
    /// descriptor 0 after a failed dup), which is the runtime's limit, not the library's.
    /// </summary>
    /// <returns>How many assemblies were loaded.</returns>
    public static int PreloadAssemblies()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([Assembly.GetEntryAssembly()!]);
        while (pending.TryDequeue(out Assembly? assembly))
        {
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                if (seen.Add(reference.FullName))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }

        return seen.Count;
    }

    /// <summary>A close-on-exec descriptor of /dev/null: what the hog duplicates (stdin may be anything).</summary>
    public static FileDescriptorHandle OpenDevNull()
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle("/dev/null");
        using var borrowed = new FileDescriptorHandle((int)file.DangerousGetHandle(), ownsHandle: false);
        return Posix.Duplicate(borrowed);
    }
}
