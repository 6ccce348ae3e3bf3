namespace PosixProcs.SharedMemoryTests;

/// <summary>
/// Tests that start processes or count descriptors run alone, one after another: counts
/// taken before and after are process-wide, and the machine has two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialChildProcesses
{
    public const string Name = "child processes";
}
