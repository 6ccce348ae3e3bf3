using PosixProcs.Testing;

namespace PosixProcs.Benchmarks.Tests;

/// <summary>
/// Scenarios that fork and run managed code in the child (the measured benchmarks, the
/// forked-child helper): they run in a single-threaded helper process, never in the test host.
/// </summary>
public static class BenchmarkScenarios
{
    /// <summary>Runs one repetition of a measured benchmark at quick size, without references, and prints its outcome.</summary>
    [Scenario]
    public static int RunMeasuredSide(string[] args)
    {
        BenchmarkSettings settings = new()
        {
            Quick = true,

            // One repetition proves the checks; more would only load the machine that the
            // other test assemblies share while `make test` runs them side by side.
            Rounds = 1,
            WarmupRounds = 0,
            ReferencesDirectory = "unused",
            ScriptsDirectory = "unused",
            PythonExecutable = "unused",
        };
        using Benchmark benchmark = BenchmarkCatalog.Benchmarks(settings).Single(b => b.Name == args[0]).Create();
        BenchmarkResult result = new Harness(settings, TextWriter.Null).Run(benchmark, benchmark.Description, []);
        Console.WriteLine($"measured={result.Measured is not null}");
        Console.WriteLine($"repetitions={result.Measured?.Repetitions}");
        Console.WriteLine($"note={result.Note}");
        return 0;
    }

    /// <summary>A child that never exits: the wait must time out, kill and reap it.</summary>
    [Scenario]
    public static int HungChildIsKilled(string[] args)
    {
        using var child = ForkedChild.Start(() =>
        {
            Thread.Sleep(Timeout.Infinite);
            return 0;
        });
        try
        {
            child.Wait(TimeSpan.FromMilliseconds(300));
            Console.WriteLine("outcome=returned");
        }
        catch (BenchmarkCheckException e)
        {
            Console.WriteLine($"outcome={e.Message}");
        }

        Console.WriteLine($"exists={Posix.ProcessExists(child.Pid)}");
        return 0;
    }

    /// <summary>A child whose body throws exits with <see cref="ForkedChild.BodyFailed"/>; one that returns exits with its value.</summary>
    [Scenario]
    public static int ChildExitCodes(string[] args)
    {
        using (var failing = ForkedChild.Start(() => throw new InvalidOperationException("boom")))
        {
            Console.WriteLine($"failing={failing.Wait(TimeSpan.FromSeconds(30))}");
        }

        using (var returning = ForkedChild.Start(() => 9))
        {
            Console.WriteLine($"returning={returning.Wait(TimeSpan.FromSeconds(30))}");
        }

        return 0;
    }
}
