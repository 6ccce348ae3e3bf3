using System.Globalization;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>What a forked worker holds of the pool owner's descriptors; each scenario runs in a single-threaded helper process.</summary>
public static class InheritedDescriptorScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static void Print(string key, object value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));

    [Scenario]
    public static int WorkersHoldNoListener(string[] args)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using PipeEnds pipe = Posix.Pipe();
        string socket = new FileInfo($"/proc/self/fd/{(int)listener.Server.Handle}").LinkTarget!;
        string pipeEnd = new FileInfo($"/proc/self/fd/{pipe.Write.Number}").LinkTarget!;
        using var pool = ProcessPool.Start(new ProcessPoolOptions { WorkerCount = 2, StartMethod = Enum.Parse<StartMethod>(args[0]) });
        int sum = pool.MapAsync(Enumerable.Range(0, 10), static x => x).WaitAsync(Limit).GetAwaiter().GetResult().Sum();
        string[] held = pool.WorkerPids
            .SelectMany(worker => Directory.GetFiles($"/proc/{worker}/fd").Select(path => new FileInfo(path).LinkTarget ?? "?"))
            .ToArray();
        Print("sum", sum);
        Print("workers", pool.WorkerPids.Count);
        Print("holdSocket", held.Contains(socket));
        Print("holdPipe", held.Contains(pipeEnd));
        return 0;
    }
}
