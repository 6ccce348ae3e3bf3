using PosixProcs.Testing;

namespace PosixProcs.Benchmarks.Tests;

/// <summary>Entry point when this assembly runs as a helper process for a fork scenario.</summary>
public static class Program
{
    public static int Main(string[] args) => Scenarios.Main(args, typeof(Program).Assembly);
}
