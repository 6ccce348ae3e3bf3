using PosixProcs.Testing;

namespace PosixProcs.Runner.Tests;

/// <summary>Entry point when this assembly runs as a helper process.</summary>
public static class Program
{
    public static int Main(string[] args) => Scenarios.Main(args, typeof(Program).Assembly);
}
