namespace PosixProcs;

/// <summary>The step of a spawned child's set-up that failed.</summary>
public enum SpawnStep
{
    /// <summary>Nothing failed.</summary>
    None = 0,

    /// <summary>Creating the process (clone/fork).</summary>
    Fork = 1,

    /// <summary>Creating the error-report pipe.</summary>
    Pipe = 2,

    /// <summary>Resetting signal dispositions.</summary>
    Signals = 3,

    /// <summary>setsid.</summary>
    CreateSession = 4,

    /// <summary>setpgid.</summary>
    SetProcessGroup = 5,

    /// <summary>prctl(PR_SET_PDEATHSIG), or the parent died before it took effect.</summary>
    ParentDeathSignal = 6,

    /// <summary>setrlimit.</summary>
    ResourceLimit = 7,

    /// <summary>Installing a descriptor (dup2).</summary>
    Descriptors = 8,

    /// <summary>chdir to the working directory.</summary>
    WorkingDirectory = 9,

    /// <summary>execve: the program could not be run (ENOENT, EACCES, ENOEXEC, ...).</summary>
    Exec = 10,

    /// <summary>Making the terminal the child's controlling terminal (ioctl TIOCSCTTY).</summary>
    ControllingTerminal = 11,
}
