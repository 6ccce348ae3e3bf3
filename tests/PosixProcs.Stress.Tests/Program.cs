using PosixProcs.Testing;

namespace PosixProcs.Stress.Tests;

/// <summary>Entry point when this assembly runs as a helper process (it has no scenarios of its own).</summary>
public static class Program
{
    public static int Main(string[] args) => Scenarios.Main(args, typeof(Program).Assembly);
}
