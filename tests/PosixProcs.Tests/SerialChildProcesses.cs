namespace PosixProcs.Tests;

/// <summary>Tests that count zombies or descriptors run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialChildProcesses
{
    public const string Name = "child processes";
}
