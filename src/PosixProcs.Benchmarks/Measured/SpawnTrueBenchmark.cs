namespace PosixProcs.Benchmarks;

/// <summary>
/// <see cref="Posix.Spawn"/> of <c>/bin/true</c> and a wait, against C's posix_spawn and
/// System.Diagnostics.Process.Start. Target (issue 3): at most 1.1x C posix_spawn.
/// </summary>
/// <remarks>
/// The child gets this process's stdin, stdout and stderr, as posix_spawn's child does,
/// plus the write end of an exit-watch pipe as descriptor 3, so the wait has a deadline:
/// one dup2 in the child and one poll here that C does not pay. The checksum counts
/// children that exited 0.
/// </remarks>
public sealed class SpawnTrueBenchmark : Benchmark
{
    private const string TruePath = "/bin/true";
    private readonly TimeSpan childTimeout;
    private readonly FileDescriptorHandle stdin = new(0, ownsHandle: false);
    private readonly FileDescriptorHandle stdout = new(1, ownsHandle: false);
    private readonly FileDescriptorHandle stderr = new(2, ownsHandle: false);

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public SpawnTrueBenchmark(BenchmarkSettings settings)
        : base("posix.spawn_true", "Posix.Spawn(/bin/true) + wait", Unit.Microseconds, Iterations(settings))
    {
        childTimeout = settings.ChildTimeout;
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Posix.Spawn converts argv and the whole environment to UTF-8 on every call, maps four descriptors (dup2 in the child) " +
        "and closes the rest, and the wait has a deadline (an exit-watch pipe: pipe2 + poll per spawn).";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(References.C(settings, "spawn_true", "c.posix_spawn_true", Unit.Microseconds, OperationsPerRepetition), Target.AtMost(1.1, "project goal")),
            new(new ProcessStartMeasurement(TruePath, OperationsPerRepetition, childTimeout), null),
        ];
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        ulong succeeded = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            using PipeEnds watch = Posix.Pipe();
            var request = new SpawnRequest(TruePath, ["true"])
            {
                Descriptors =
                [
                    new DescriptorMapping(0, stdin), new DescriptorMapping(1, stdout), new DescriptorMapping(2, stderr),
                    new DescriptorMapping(3, watch.Write),
                ],
            };
            Pid pid = Posix.Spawn(request);
            watch.Write.Dispose();
            if (Posix.Poll(watch.Read, PollEvents.In, childTimeout) == PollEvents.None)
            {
                Posix.Kill(pid, Signal.SIGKILL);
                Posix.WaitPid(pid);
                throw new BenchmarkCheckException($"{TruePath} (pid {pid}) did not exit within {childTimeout.TotalSeconds:0} s; killed.");
            }

            WaitStatus status = Posix.WaitPid(pid);
            if (!status.IsSuccess)
            {
                throw new BenchmarkCheckException($"{TruePath} {status}.");
            }

            succeeded++;
        }

        return new Work(OperationsPerRepetition, succeeded);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stdin.Dispose();
            stdout.Dispose();
            stderr.Dispose();
        }

        base.Dispose(disposing);
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(100, 30);
    }
}
