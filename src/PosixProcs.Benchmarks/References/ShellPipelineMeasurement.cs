namespace PosixProcs.Benchmarks;

/// <summary>
/// A pipeline run by <c>bash -c SCRIPT</c>, timed here from spawn to reaped exit: the reference
/// for <see cref="PipelineThroughputBenchmark"/>. bash is started through the C spawn path
/// (<see cref="ChildProcess.Spawn"/>, no thread started here) with stdin from /dev/null; the
/// script must exit 0 only when every stage succeeded (<c>set -o pipefail</c>).
/// </summary>
public sealed class ShellPipelineMeasurement : InProcessMeasurement
{
    private readonly string script;
    private readonly long bytes;
    private readonly int stages;
    private readonly TimeSpan timeout;

    /// <summary>Creates the measurement.</summary>
    /// <param name="name">The figure's name, e.g. <c>bash.cat3_throughput</c>.</param>
    /// <param name="script">The script bash runs.</param>
    /// <param name="bytes">The bytes one run moves through the pipeline.</param>
    /// <param name="stages">The pipeline's stages, the checksum of a successful run.</param>
    /// <param name="timeout">How long one run may take before bash's group is killed.</param>
    public ShellPipelineMeasurement(string name, string script, long bytes, int stages, TimeSpan timeout)
        : base(name, Unit.MebibytesPerSecond, 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stages);
        this.script = script;
        this.bytes = bytes;
        this.stages = stages;
        this.timeout = timeout;
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        // Its own group, so a timeout also ends the stages bash forked.
        using ChildProcess bash = ChildProcess.Spawn("bash", ["-c", script], new SpawnOptions { StandardInput = StdioRedirect.Null, NewProcessGroup = true });
        if (!bash.Wait(timeout))
        {
            Posix.KillProcessGroup(bash.Pid, Signal.SIGKILL);
            throw new BenchmarkCheckException($"bash -c '{script}' did not finish within {timeout.TotalSeconds:0} s; killed.");
        }

        WaitStatus status = bash.Status!;
        if (!status.IsSuccess)
        {
            throw new BenchmarkCheckException($"bash -c '{script}' {status}.");
        }

        return new Work(OperationsPerRepetition, (ulong)stages, bytes);
    }
}
