namespace PosixProcs.PosixTests;

/// <summary>
/// Tests that create children run alone, one after another, so that counts of zombies
/// and descriptors taken before and after are not disturbed by other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialChildProcesses
{
    public const string Name = "child processes";
}
