using System.Globalization;
using PosixProcs.Testing;

namespace PosixProcs.Pool.Tests;

/// <summary>A task that calls Environment.Exit in a forked worker; each scenario runs in a single-threaded helper process.</summary>
public static class EnvironmentExitScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static void Print(string key, object value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}={value}"));

    private static T Run<T>(Func<Task<T>> body) => body().WaitAsync(Limit).GetAwaiter().GetResult();

    [Scenario]
    public static int TaskCallsEnvironmentExit(string[] args)
    {
        var options = new ProcessPoolOptions { WorkerCount = 1, StartMethod = Enum.Parse<StartMethod>(args[0]) };
        using var pool = ProcessPool.Start(options);
        try
        {
            Run(() => pool.SubmitAsync(static () =>
            {
                Environment.Exit(3);
                return 0;
            }));
            Print("crashed", "no");
        }
        catch (WorkerCrashedException ex)
        {
            Print("crashed", "yes");
            Print("status", ex.Status);
        }
        catch (TimeoutException)
        {
            Print("crashed", "hung");
        }

        Print("after", Run(() => pool.SubmitAsync(static () => 42)));
        return 0;
    }
}
