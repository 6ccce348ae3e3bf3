using System.Runtime.InteropServices;

namespace PosixProcs.Benchmarks;

/// <summary>Where a run happened: ratios hold only on the machine that measured them.</summary>
/// <param name="OperatingSystem">The OS description.</param>
/// <param name="Architecture">The process architecture.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="Python">The Python interpreter used for the references, or why none.</param>
/// <param name="Load">The 1-minute load average at the start and end of the run (Linux), or <c>unknown</c>: other work on the machine widens every spread.</param>
public sealed record MachineInfo(string OperatingSystem, string Architecture, string Runtime, int ProcessorCount, string Python, string Load)
{
    /// <summary>Describes this machine.</summary>
    /// <param name="python">The Python interpreter (or why it is missing).</param>
    /// <param name="load">The load during the run, see <see cref="ReadLoadAverage"/>.</param>
    /// <returns>The description.</returns>
    public static MachineInfo Current(string python, string load) => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        RuntimeInformation.FrameworkDescription,
        Environment.ProcessorCount,
        python,
        load);

    /// <summary>The 1-minute load average from /proc/loadavg; <c>unknown</c> where there is none (macOS).</summary>
    /// <returns>For example <c>2.31</c>.</returns>
    public static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
