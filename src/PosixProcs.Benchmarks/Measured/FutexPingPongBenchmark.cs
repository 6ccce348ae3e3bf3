namespace PosixProcs.Benchmarks;

/// <summary>
/// Ping-pong over one 32-bit word in a shared mapping between this process and a forked
/// child, with <see cref="Posix.FutexWait"/>/<see cref="Posix.FutexWake"/>: the parent
/// stores an odd number n and wakes the child; the child answers n+1 and wakes the parent;
/// each sleeps while the word is unchanged (no spinning, as in the C reference). The
/// parent checks every answer. Target (issue 4): at most 1.2x C.
/// </summary>
public sealed unsafe class FutexPingPongBenchmark : Benchmark
{
    /// <summary>Tells the child to exit.</summary>
    private const uint Stop = uint.MaxValue;

    private readonly TimeSpan childTimeout;
    private readonly TimeSpan idleTimeout;
    private MemoryMapping? mapping;
    private ForkedChild? child;
    private uint last;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public FutexPingPongBenchmark(BenchmarkSettings settings)
        : base("posix.futex_pingpong", "futex wake + wait round trip over a MAP_SHARED word with a forked child", Unit.Microseconds, Iterations(settings))
    {
        childTimeout = settings.ChildTimeout;

        // Between rounds the child sleeps while the references run; it gives up (and exits)
        // only after longer than any reference may take, so an orphan cannot linger.
        idleTimeout = settings.ReferenceTimeout + settings.ChildTimeout;
    }

    private uint* Word => (uint*)mapping!.BaseAddress;

    /// <inheritdoc/>
    public override string Remarks =>
        "Posix.FutexWait/FutexWake check the word's alignment and convert the timeout on every call, " +
        "and every wait has a deadline (C waits without one).";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(References.C(settings, "futex_pingpong", "c.futex_pingpong", Unit.Microseconds, OperationsPerRepetition, "--mode", "futex"), Target.AtMost(1.2, "project goal")),
        ];
    }

    /// <inheritdoc/>
    public override void Start()
    {
        mapping = Posix.Map(Posix.PageSize, MappingSharing.Shared, populate: true);
        uint* word = Word;
        *word = 0;
        TimeSpan timeout = idleTimeout;
        child = ForkedChild.Start(() => Answer(word, timeout));
    }

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        uint* word = Word;
        ulong checksum = 0;
        for (long i = 0; i < OperationsPerRepetition; i++)
        {
            uint ping = last + 1;
            Volatile.Write(ref *word, ping);
            Posix.FutexWake(word, 1);
            uint answer = WaitForChange(word, ping, childTimeout);
            if (answer != ping + 1)
            {
                throw new BenchmarkCheckException($"{Name}: answer {answer} to {ping} was not ping + 1.");
            }

            last = answer;
            checksum += answer;
        }

        return new Work(OperationsPerRepetition, checksum);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && mapping is not null)
        {
            try
            {
                if (child is not null)
                {
                    Volatile.Write(ref *Word, Stop);
                    Posix.FutexWake(Word, 1);
                    child.WaitForCode(childTimeout, 0);
                }
            }
            finally
            {
                child?.Dispose();
                mapping.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Sleeps until the word differs from <paramref name="seen"/>; throws if nobody changes it in time.</summary>
    private static uint WaitForChange(uint* word, uint seen, TimeSpan timeout)
    {
        uint value;
        while ((value = Volatile.Read(ref *word)) == seen)
        {
            if (!Posix.FutexWait(word, seen, timeout))
            {
                throw new BenchmarkCheckException($"the futex word stayed {seen} for {timeout.TotalSeconds:0} s: the other side is gone.");
            }
        }

        return value;
    }

    /// <summary>The child: answer every odd number with the next one, until told to stop.</summary>
    private static int Answer(uint* word, TimeSpan timeout)
    {
        uint last = 0;
        while (true)
        {
            uint value = WaitForChange(word, last, timeout);
            if (value == Stop)
            {
                return 0;
            }

            Volatile.Write(ref *word, value + 1);
            Posix.FutexWake(word, 1);
            last = value + 1;
        }
    }

    private static long Iterations(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(20000, 5000);
    }
}
