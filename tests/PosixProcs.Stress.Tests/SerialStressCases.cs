namespace PosixProcs.Stress.Tests;

/// <summary>Stress cases load the machine and count processes: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialStressCases
{
    public const string Name = "stress";
}
