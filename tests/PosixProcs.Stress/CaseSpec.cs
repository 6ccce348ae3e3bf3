namespace PosixProcs.Stress;

/// <summary>How the harness starts a case process.</summary>
internal enum CaseLaunch
{
    /// <summary>As the harness's own user.</summary>
    Plain,

    /// <summary>As uid/gid 65534 through setpriv (root ignores RLIMIT_NPROC), HOME=/tmp.</summary>
    Unprivileged,

    /// <summary>As PID 1 of a new PID namespace: <c>unshare --pid --fork --mount-proc</c> execs it.</summary>
    PidNamespace,
}

/// <summary>What a case gets in its process.</summary>
/// <param name="Quick">Small sizes (the fast cases that <c>make test</c> runs).</param>
/// <param name="CliPath">The posixprocs launcher, for the tour.</param>
/// <param name="Recorder">Where numbers and checks go.</param>
internal sealed record CaseContext(bool Quick, string CliPath, CaseRecorder Recorder)
{
    /// <summary><paramref name="full"/> in a full run, <paramref name="quick"/> in a quick one.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;
}

/// <summary>One stress case: a body that runs in its own process, started and bounded by the harness.</summary>
/// <param name="Group">The letter (a-g).</param>
/// <param name="Name">A unique name, also the command-line key.</param>
/// <param name="Title">What it does, for the table.</param>
/// <param name="Deadline">After this the case process and everything it started are SIGKILLed and the case fails.</param>
/// <param name="Launch">How its process is started.</param>
/// <param name="Body">The case: records into the context's recorder, returns the exit code.</param>
/// <param name="OpenFilesLimit">If set, the process starts with this RLIMIT_NOFILE, soft and hard (as after <c>ulimit -n</c>).</param>
/// <param name="Hidden">Run only when named by --only (the harness's own self-tests).</param>
internal sealed record CaseSpec(
    string Group,
    string Name,
    string Title,
    TimeSpan Deadline,
    CaseLaunch Launch,
    Func<CaseContext, int> Body,
    int? OpenFilesLimit = null,
    bool Hidden = false);
