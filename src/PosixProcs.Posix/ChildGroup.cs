namespace PosixProcs;

/// <summary>Where a forked child runs: in this process's group, or leading a group or session of its own.</summary>
/// <remarks>
/// A child that leads its own group can be signalled with everything it starts (killpg), and a
/// terminal's Ctrl-C, which goes to the foreground group, no longer reaches it. The values are the
/// shim's PP_FORK_NEW_* flags.
/// </remarks>
public enum ChildGroup
{
    /// <summary>The child stays in this process's group and session (fork's default).</summary>
    Inherit = 0,

    /// <summary>The child leads a new process group (setpgid(0, 0)), in this process's session.</summary>
    NewProcessGroup = 1,

    /// <summary>The child leads a new session and a new group (setsid), with no controlling terminal.</summary>
    NewSession = 2,
}
