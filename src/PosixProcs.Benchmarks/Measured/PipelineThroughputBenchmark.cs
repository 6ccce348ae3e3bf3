using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// <c>head -c N /dev/zero | cat | cat | cat</c> into /dev/null, started by
/// <see cref="Pipeline.Start"/> and waited for, against the same pipeline run by
/// <c>bash -c</c> (<see cref="ShellPipelineMeasurement"/>). Target (issue 14): at least 0.95x
/// bash's throughput. One operation is one whole pipeline moving N bytes (1 GiB; 256 MiB quick).
/// </summary>
/// <remarks>
/// The check is every stage's exit status: head exits 0 only once it has written all N bytes
/// into the first pipe, and each cat only once it has read to end-of-file and written all it
/// read, so four zeros mean the N bytes went all the way through. The checksum counts the
/// stages that exited 0.
/// </remarks>
public sealed class PipelineThroughputBenchmark : Benchmark
{
    /// <summary>The cats between head and /dev/null.</summary>
    internal const int Cats = 3;

    private readonly TimeSpan childTimeout;
    private readonly long bytes;

    /// <summary>Creates the benchmark.</summary>
    /// <param name="settings">The run's settings.</param>
    public PipelineThroughputBenchmark(BenchmarkSettings settings)
        : base("pipeline.cat3_throughput", $"Pipeline.Start(head -c {Describe(Bytes(settings))} /dev/zero | cat | cat | cat > /dev/null) + wait", Unit.MebibytesPerSecond, 1)
    {
        childTimeout = settings.ChildTimeout;
        bytes = Bytes(settings);
    }

    /// <inheritdoc/>
    public override string Remarks =>
        "Pipeline.Start resolves each program in PATH, converts argv and the whole environment to UTF-8 per stage and opens a pidfd per stage; " +
        "bash forks its stages from a process that is already running its script. The bytes themselves never pass through either parent.";

    /// <inheritdoc/>
    public override IReadOnlyList<Comparison> CreateComparisons(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [new(new ShellPipelineMeasurement("bash.cat3_throughput", ShellCommand(bytes), bytes, Cats + 1, childTimeout), Target.AtLeast(0.95, "project goal"))];
    }

    /// <summary>The pipeline as bash runs it, with pipefail so that any stage's failure fails the run.</summary>
    /// <param name="bytes">How many bytes head copies from /dev/zero.</param>
    /// <returns>The script for <c>bash -c</c>.</returns>
    internal static string ShellCommand(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"set -o pipefail; head -c {bytes} /dev/zero{string.Concat(Enumerable.Repeat(" | cat", Cats))} > /dev/null");

    /// <inheritdoc/>
    protected override Work RunRepetition()
    {
        PipelineStage[] stages =
        [
            new("head", "-c", bytes.ToString(CultureInfo.InvariantCulture), "/dev/zero"),
            .. Enumerable.Range(0, Cats).Select(_ => new PipelineStage("cat")),
        ];
        using Pipeline pipeline = Pipeline.Start(stages, new PipelineOptions
        {
            StandardInput = StdioRedirect.Null,
            StandardOutput = StdioRedirect.Null,
            StatusMode = PipelineStatusMode.Pipefail,
        });

        // Wait blocks this thread in poll on the stages' pidfds: no reactor thread is started,
        // so the bench process stays fork-safe for the benchmarks that fork.
        PipelineResult result = pipeline.Wait(childTimeout)
            ?? throw new BenchmarkCheckException($"{Name}: {pipeline} did not finish within {childTimeout.TotalSeconds:0} s; killed.");
        if (!result.IsSuccess)
        {
            throw new BenchmarkCheckException($"{Name}: {result}.");
        }

        return new Work(OperationsPerRepetition, (ulong)result.Stages.Count(s => s.IsSuccess), bytes);
    }

    private static long Bytes(BenchmarkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Size(1L << 30, 256L << 20);
    }

    private static string Describe(long bytes) => bytes >= 1L << 30 ? $"{bytes >> 30}G" : $"{bytes >> 20}M";
}
