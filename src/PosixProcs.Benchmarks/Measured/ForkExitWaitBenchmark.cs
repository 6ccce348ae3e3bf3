namespace PosixProcs.Benchmarks;

/// <summary>
/// <see cref="Posix.Fork"/>, <see cref="Posix.Exit"/> in the child, and a wait in the parent:
/// the cost of a process from .NET, against C's fork/_exit/waitpid and Python's
/// multiprocessing Process start+join with the fork method.
/// </summary>
/// <remarks>
/// Each child exits with its iteration number modulo 128, and the parent checks it. The
/// wait has a deadline (the exit-watch pipe of <see cref="ForkedChild"/>), which adds a
/// pipe and a poll per fork to what C does. The issues set no target for raw fork; the
/// pool's worker start (issue 5) is the figure with targets, and it is pending.
/// </remarks>
public sealed class ForkExitWaitBenchmark : Benchmark
{
    private readonly TimeSpan childTimeout;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public ForkExitWaitBenchmark(BenchmarkSettings settings)
        : base("posix.fork_exit_wait", "Posix.Fork + Posix.Exit(code) in the child + wait", Unit.Microseconds, Iterations(settings))
    {
        childTimeout = settings.ChildTimeout;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Posix.Fork checks for fork hazards before every fork (on Linux it reads /proc/self/task/*/stat to find running threads), " +
        "forks in C with all signals blocked and gives ten signals their default action back in the child; " +
        "the wait has a deadline (an exit-watch pipe: pipe2 + poll per fork); and the child is a copy of a .NET process, " +
        "whose larger address space makes fork and copy-on-write faults cost more than for a small C program (NOTES.md). " +
        "A fork refused because a runtime thread was seen runnable is retried after 1 ms, inside the timing.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(References.C(settings, "fork_wait", "c.fork_exit_wait", Unit.Microseconds, OperationsPerRepetition), null),
            new(References.Python(settings, "process_start.py", "py.process_start_join_fork", Unit.Milliseconds, settings.Size(20, 10)).In(Unit.Microseconds), null),
        ];
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ulong checksum = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            int code = (int)(i & 0x7f);
            using ForkedChild child = ForkedChild.Start(() => code);
            child.WaitForCode(childTimeout, code);
            checksum += (ulong)code;
        }

        return new Work(OperationsPerRepetition, checksum);
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(100, 40);
    }
}
