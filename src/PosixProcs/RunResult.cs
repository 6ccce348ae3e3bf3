namespace PosixProcs;

/// <summary>How a program run by <see cref="ChildProcess.RunAsync"/> ended, what it wrote, and what it cost.</summary>
public sealed record RunResult
{
    /// <summary>The program's process id (reaped: it may name another process now).</summary>
    public required Pid Pid { get; init; }

    /// <summary>How it ended: <see cref="WaitStatus.Exited"/> or <see cref="WaitStatus.Signaled"/>.</summary>
    public required WaitStatus Status { get; init; }

    /// <summary>The exit code, or <c>null</c> if a signal ended it.</summary>
    public int? ExitCode => Status is WaitStatus.Exited exited ? exited.Code : null;

    /// <summary>Whether it exited with code 0.</summary>
    public bool IsSuccess => Status.IsSuccess;

    /// <summary>
    /// Everything it wrote on stdout, decoded with <see cref="RunOptions.Encoding"/>. Empty
    /// after <see cref="ChildProcess.RunLinesAsync"/>, whose lines went to the consumer.
    /// </summary>
    public required string StandardOutput { get; init; }

    /// <summary>
    /// Everything it wrote on stderr. After <see cref="ChildProcess.RunLinesAsync"/>, only its
    /// last lines (at most <see cref="ChildProcess.StandardErrorTailLines"/>), for the error message.
    /// </summary>
    public required string StandardError { get; init; }

    /// <summary>Wall-clock time from just before the spawn to the reap.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The program's own resource usage, from wait4 on its pid: it includes the descendants
    /// it waited for itself (a shell's commands), never this process's other children.
    /// </summary>
    public required ResourceUsage ResourceUsage { get; init; }

    /// <summary>
    /// Peak resident set size in bytes (ru_maxrss from wait4, which Linux reports in KiB and
    /// macOS in bytes, converted): the largest of the program and the descendants it waited
    /// for, not their sum. A floor to know of: on Linux the kernel also counts, at exec, the
    /// address space the child had before it (the spawning process's, shared through vfork or
    /// copied by fork), so the value is never below this process's own peak (VmHWM) at the
    /// spawn. It tells what a program used only when that is more than this process did.
    /// </summary>
    public long PeakMemoryBytes => ResourceUsage.MaxResidentSetBytes;

    /// <summary>"pid 1234 exited with code 0 in 12 ms, peak 3.1 MiB": the outputs are left out.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pid {Pid} {Status} in {Duration.TotalMilliseconds:0} ms, peak {PeakMemoryBytes / 1048576.0:0.0} MiB");
}
