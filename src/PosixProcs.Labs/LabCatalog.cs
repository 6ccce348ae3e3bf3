namespace PosixProcs.Labs;

/// <summary>Every lab, in the order a course (and the tour) takes them.</summary>
public static class LabCatalog
{
    /// <summary>The labs in teaching order: fork, pipes, waiting, memory, exec, the cost and benefit of processes, sharing memory between them, and the trap.</summary>
    public static IReadOnlyList<Lab> All { get; } =
    [
        new ForkLab(),
        new PipeLab(),
        new DuplexLab(),
        new WaitLab(),
        new CowLab(),
        new SpawnLab(),
        new ThreadsVsProcessesLab(),
        new IoThreadsLab(),
        new SharedLab(),
        new RLockLab(),
        new ConditionLab(),
        new QueueLab(),
        new PoolLab(),
        new WxTrapLab(),
    ];

    /// <summary>The lab with this name, or null.</summary>
    /// <param name="name">E.g. <c>"cow"</c>; case-insensitive.</param>
    /// <returns>The lab, or null.</returns>
    public static Lab? Find(string name) => All.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
}
