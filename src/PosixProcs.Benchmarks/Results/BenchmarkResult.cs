namespace PosixProcs.Benchmarks;

/// <summary>One benchmark's outcome: its figure and each comparison.</summary>
/// <param name="Name">The figure's name, e.g. <c>posix.fork_exit_wait</c>.</param>
/// <param name="Description">What one operation is.</param>
/// <param name="Unit">The unit.</param>
/// <param name="Measured">Median, min and max of the measured code; <c>null</c> when it does not exist yet or failed.</param>
/// <param name="Comparisons">One per reference.</param>
/// <param name="Note">Why a figure is missing (the failure, or what the benchmark waits for); <c>null</c> otherwise.</param>
/// <param name="Remarks">What the PosixProcs side does that its references do not (known costs); <c>null</c> if nothing.</param>
public sealed record BenchmarkResult(
    string Name,
    string Description,
    Unit Unit,
    Summary? Measured,
    IReadOnlyList<ComparisonResult> Comparisons,
    string? Note = null,
    string? Remarks = null);
