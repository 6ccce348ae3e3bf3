namespace PosixProcs.Testing;

/// <summary>
/// Marks a public static method <c>int Name(string[] args)</c> as a scenario that runs in a
/// fresh, single-threaded helper process (the test assembly started again by
/// <see cref="Scenarios.Run"/>), because it forks and runs managed code in the child:
/// unsafe inside the multi-threaded test host (see README, "Fork from .NET").
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScenarioAttribute : Attribute
{
}
