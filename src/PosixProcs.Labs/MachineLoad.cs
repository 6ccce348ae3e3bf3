using System.Diagnostics;
using System.Globalization;

namespace PosixProcs.Labs;

/// <summary>
/// How busy the machine was, as this process saw it: the kernel's 1-minute load average and
/// the CPU time a spinning thread of this process actually got per second of wall time. A
/// timing claim (threads scale, a fork costs more than a thread) needs CPUs that other work
/// does not take; a lab judges it inconclusive, not false, when this says they were taken.
/// </summary>
/// <param name="LoadAverage">Runnable tasks, 1-minute average (/proc/loadavg); NaN where there is no /proc.</param>
/// <param name="Processors">CPUs this process may use.</param>
/// <param name="CpuShare">CPU seconds per wall second a spinning thread got during the probe (1 on an idle CPU).</param>
public sealed record MachineLoad(double LoadAverage, int Processors, double CpuShare)
{
    /// <summary>How long <see cref="Measure()"/> spins.</summary>
    public static readonly TimeSpan ProbeTime = TimeSpan.FromMilliseconds(50);

    /// <summary>Below this share of a CPU, a spinning thread was made to wait for one.</summary>
    public const double FullCpuShare = 0.9;

    /// <summary>
    /// Whether other work competed for the CPUs: a spinning thread got less than
    /// <see cref="FullCpuShare"/> of one, or the load average leaves less than half a CPU
    /// beside the lab's own thread (it counts the lab too).
    /// </summary>
    public bool IsBusy => CpuShare < FullCpuShare || (!double.IsNaN(LoadAverage) && LoadAverage > Processors - 0.5);

    /// <summary>Measures now: reads the load average and spins this thread for <see cref="ProbeTime"/>.</summary>
    /// <returns>The load seen.</returns>
    /// <exception cref="PosixException">getrusage failed.</exception>
    public static MachineLoad Measure() => Measure(ProbeTime);

    /// <summary>Measures now: reads the load average and spins this thread for <paramref name="probe"/>.</summary>
    /// <param name="probe">How long to spin; longer is steadier.</param>
    /// <returns>The load seen.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probe"/> is not positive.</exception>
    /// <exception cref="PosixException">getrusage failed.</exception>
    public static MachineLoad Measure(TimeSpan probe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(probe, TimeSpan.Zero);

        // RUSAGE_THREAD where it exists; elsewhere the process, which is this thread while a lab runs.
        ResourceUsageTarget target = OperatingSystem.IsLinux() ? ResourceUsageTarget.Thread : ResourceUsageTarget.Self;
        TimeSpan cpu0 = CpuTime.Of(target);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < probe)
        {
            Thread.SpinWait(64);
        }

        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double cpu = (CpuTime.Of(target) - cpu0).TotalSeconds;
        return new MachineLoad(ReadLoadAverage(), Environment.ProcessorCount, Math.Min(1, cpu / wall));
    }

    /// <summary>For example <c>load average 9.3 on 2 CPUs, a spinning thread got 0.45 CPU-s/s</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"load average {(double.IsNaN(LoadAverage) ? "unknown" : LoadAverage.ToString("0.0#", CultureInfo.InvariantCulture))} on {Processors} CPUs, a spinning thread got {CpuShare:0.00} CPU-s/s");


    private static double ReadLoadAverage()
    {
        if (!ProcFiles.Available)
        {
            return double.NaN;
        }

        string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return double.Parse(first, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
