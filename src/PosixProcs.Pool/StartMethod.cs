namespace PosixProcs.Pool;

/// <summary>How a pool starts its worker processes (as in Python's multiprocessing).</summary>
public enum StartMethod
{
    /// <summary>
    /// A small, clean server process (spawned) forks the workers on request: a worker costs a
    /// fork of a process that has done nothing else, not a runtime start-up, and it works from
    /// any parent, however many threads it runs and whatever its runtime settings. Functions
    /// must be static methods or lambdas that capture nothing. The default: the safest that is
    /// still fast.
    /// </summary>
    ForkServer = 0,

    /// <summary>
    /// Workers are forked from this process: closures and everything they captured work as
    /// they are. Needs the fork switches (build/PosixProcs.Posix.props) and a moment when no
    /// other thread runs managed code (the pool waits for one, briefly).
    /// </summary>
    Fork = 1,

    /// <summary>
    /// Each worker is a fresh process (the worker host, started by the fork-safe spawn): the
    /// slowest start, nothing inherited. Functions must be static methods or lambdas that
    /// capture nothing.
    /// </summary>
    Spawn = 2,
}
