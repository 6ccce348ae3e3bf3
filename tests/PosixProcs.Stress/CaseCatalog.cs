using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>Every stress case, in the order the harness runs them (issue 10, items a-g).</summary>
internal static class CaseCatalog
{
    private static readonly StartMethod[] Methods = [StartMethod.Fork, StartMethod.ForkServer, StartMethod.Spawn];

    public static IReadOnlyList<CaseSpec> All { get; } =
    [
        .. Methods.Select(m => new CaseSpec("a", $"pool-kills-{Key(m)}",
            $"10,000 tasks while a worker is SIGKILLed every 20 ms{(m == StartMethod.ForkServer ? ", the server 3 times" : string.Empty)} ({m})",
            Seconds(190), CaseLaunch.Plain, c => PoolKillCases.Run(c, m))),
        .. Methods.Select(m => new CaseSpec("b", $"parent-killed-{Key(m)}",
            $"the pool's process SIGKILLed with busy workers ({m}): no survivor, no /dev/shm entry",
            Seconds(60), CaseLaunch.Plain, c => ParentKilledCases.Run(c, m))),
        new("c", "limits-nofile", "as uid 65534, the soft RLIMIT_NOFILE 0-8 numbers above what is open, then none free: pipe, dup, socketpair, spawn, fork",
            Seconds(45), CaseLaunch.Unprivileged, LimitCases.OpenFilesBasic, LimitCases.OpenFilesLimit),
        .. Methods.Select(m => new CaseSpec("c", $"limits-nofile-pool-{Key(m)}",
            $"as uid 65534, a {m} pool with 0-24 descriptors free, then none, then the limit back",
            Seconds(60), CaseLaunch.Unprivileged, c => LimitCases.OpenFilesPool(c, m), LimitCases.OpenFilesLimit)),
        new("c", "limits-nproc", "RLIMIT_NPROC just above use, as uid 65534: fork and spawn at the limit",
            Seconds(45), CaseLaunch.Unprivileged, LimitCases.ProcessesBasic),
        .. Methods.Select(m => new CaseSpec("c", $"limits-nproc-pool-{Key(m)}",
            $"RLIMIT_NPROC just above use, as uid 65534: a {m} pool at the limit, then below it",
            Seconds(60), CaseLaunch.Unprivileged, c => LimitCases.ProcessesPool(c, m))),
        new("d", "inherited-descriptors", "50 inheritable descriptors: spawned child and every kind of worker see only what was passed",
            Seconds(90), CaseLaunch.Plain, InheritedDescriptorCases.Run),
        new("e", "signal-storm", "SIGCHLD/SIGUSR1/SIGWINCH storm during ring waits, pipe reads, channel, spawn, fork, waits, pools",
            Seconds(120), CaseLaunch.Plain, SignalStormCases.Run),
        new("f", "corrupt-ring-header", "each ring header field corrupted: Attach refuses with InvalidDataException",
            Seconds(20), CaseLaunch.Plain, CorruptionCases.RingHeader),
        new("f", "corrupt-ring-records", "record lengths and head/tail corrupted: reads fail typed, never out of bounds",
            Seconds(20), CaseLaunch.Plain, CorruptionCases.RingRecords),
        new("f", "truncated-frames", "channel frames cut short or with impossible lengths: typed errors, no hang",
            Seconds(30), CaseLaunch.Plain, CorruptionCases.TruncatedFrames),
        new("g", "pid1-pool", "the pool suite and deliberate orphans with this program as PID 1 of a PID namespace",
            Seconds(120), CaseLaunch.PidNamespace, Pid1Cases.PoolSuite),
        new("g", "pid1-tour", "posixprocs tour as PID 1 of a PID namespace, zombies sampled from outside",
            Seconds(240), CaseLaunch.Plain, Pid1Cases.Tour),
        new("self", "selftest-host-death", "the case process SIGKILLs itself: the harness must report a host death", Seconds(30), CaseLaunch.Plain, SelfTestCases.HostDeath, Hidden: true),
        new("self", "selftest-hang", "the case hangs: the harness must kill it at its deadline", Seconds(3), CaseLaunch.Plain, SelfTestCases.Hang, Hidden: true),
        new("self", "selftest-orphan", "the case leaves a process behind: the harness must count, kill and reap it", Seconds(30), CaseLaunch.Plain, SelfTestCases.Orphan, Hidden: true),
    ];

    private static TimeSpan Seconds(int s) => TimeSpan.FromSeconds(s);

    private static string Key(StartMethod method) => method.ToString().ToLowerInvariant();
}
