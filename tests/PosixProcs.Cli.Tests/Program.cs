using PosixProcs.Testing;

namespace PosixProcs.CliTests;

/// <summary>Entry point when this assembly runs as a helper process.</summary>
public static class Program
{
    public static int Main(string[] args) => Scenarios.Main(args, typeof(Program).Assembly);
}
