using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// The jobs of a runner benchmark, the same for every side: N input lines (1..N) on stdin,
/// and a command run once per line: <c>true</c> (output must be empty) or <c>echo {}</c>
/// (output must be the N numbers, each once, in any order).
/// </summary>
public sealed class RunnerWorkload : IDisposable
{
    /// <summary>Creates the input file.</summary>
    /// <param name="jobs">Jobs per run.</param>
    /// <param name="echo">True for <c>echo {}</c>, false for <c>true</c>.</param>
    public RunnerWorkload(long jobs, bool echo)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jobs);
        Jobs = jobs;
        Echo = echo;
        InputPath = Path.Combine(Path.GetTempPath(), $"posixprocs-bench-runner-{Environment.ProcessId}-{(echo ? "echo" : "true")}-{jobs}.txt");
        File.WriteAllLines(InputPath, Enumerable.Range(1, (int)jobs).Select(i => i.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Jobs per run.</summary>
    public long Jobs { get; }

    /// <summary>Whether each job is <c>echo {}</c> (else <c>true</c>).</summary>
    public bool Echo { get; }

    /// <summary>The input: one number per line.</summary>
    public string InputPath { get; }

    /// <summary>Checks a run's output and returns the work it proves.</summary>
    /// <param name="runner">The runner, for messages.</param>
    /// <param name="output">What it printed.</param>
    /// <returns>Jobs done, with the sum of the echoed numbers as checksum.</returns>
    /// <exception cref="BenchmarkCheckException">Output missing, doubled or unexpected.</exception>
    public Work Check(string runner, string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Echo)
        {
            return output.Length == 0 ? new Work(Jobs, (ulong)Jobs) : throw new BenchmarkCheckException($"{runner}: `true` jobs printed {output.Length} characters.");
        }

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var seen = new HashSet<long>();
        foreach (string line in lines)
        {
            if (!long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < 1 || n > Jobs || !seen.Add(n))
            {
                throw new BenchmarkCheckException($"{runner}: unexpected or repeated output line '{line}'.");
            }
        }

        if (seen.Count != Jobs)
        {
            throw new BenchmarkCheckException($"{runner}: {seen.Count} of {Jobs} jobs printed their number.");
        }

        return new Work(Jobs, (ulong)seen.Sum());
    }

    /// <summary>Deletes the input file.</summary>
    public void Dispose() => File.Delete(InputPath);
}
