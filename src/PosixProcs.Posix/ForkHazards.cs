namespace PosixProcs;

/// <summary>Conditions under which fork() from a .NET process is known to go wrong (see README, "Fork from .NET").</summary>
[Flags]
public enum ForkHazards
{
    /// <summary>No hazard.</summary>
    None = 0,

    /// <summary>
    /// The runtime maps JIT-ed code twice through a shared memfd (W^X). Parent and child
    /// then share the code heap: when the child JITs or patches a stub, the parent's code
    /// changes under it and the PARENT crashes (SIGSEGV/SIGFPE).
    /// </summary>
    WriteXorExecute = 1,

    /// <summary>
    /// Tiered compilation's background worker may hold a runtime lock at the moment of
    /// fork; the child then blocks forever in pthread_mutex_lock (and ignores SIGTERM).
    /// </summary>
    TieredCompilation = 2,

    /// <summary>
    /// Another thread was running (not blocked) when fork was attempted: if it runs managed
    /// code, the child aborts at its first GC. Threads blocked in waits or I/O are harmless.
    /// </summary>
    RunningThreads = 4,

    /// <summary>
    /// Concurrent (background) or server GC: its GC threads exist in the runtime's books but
    /// not in a forked child, which aborts (SIGABRT) the first time it needs them. Measured:
    /// a child that allocates 20 MB aborts with concurrent GC on, and runs with it off.
    /// </summary>
    BackgroundGarbageCollection = 8,
}
