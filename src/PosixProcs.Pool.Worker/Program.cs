namespace PosixProcs.Pool.Worker;

/// <summary>The worker host's entry point; everything it does lives in <see cref="WorkerHost"/>.</summary>
public static class Program
{
    /// <summary>Runs a pool worker or the pool's fork server.</summary>
    /// <param name="args">What the pool passed.</param>
    /// <returns>The exit code.</returns>
    public static int Main(string[] args) => WorkerHost.Main(args);
}
