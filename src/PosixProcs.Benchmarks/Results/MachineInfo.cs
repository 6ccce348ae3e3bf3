using System.Runtime.InteropServices;

namespace PosixProcs.Benchmarks;

/// <summary>Where a run happened: ratios hold only on the machine that measured them.</summary>
/// <param name="OperatingSystem">The OS description.</param>
/// <param name="Architecture">The process architecture.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="Python">The Python interpreter used for the references, or why none.</param>
public sealed record MachineInfo(string OperatingSystem, string Architecture, string Runtime, int ProcessorCount, string Python)
{
    /// <summary>Describes this machine.</summary>
    /// <param name="python">The Python interpreter (or why it is missing).</param>
    /// <returns>The description.</returns>
    public static MachineInfo Current(string python) => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        RuntimeInformation.FrameworkDescription,
        Environment.ProcessorCount,
        python);
}
