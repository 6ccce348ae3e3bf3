namespace PosixProcs.Benchmarks;

/// <summary>
/// What one repetition did, as counted by the code that did it: the harness checks it
/// against what was asked, so a repetition that skipped work cannot look fast.
/// </summary>
/// <param name="Operations">Operations completed (round trips, forks, messages, chunks).</param>
/// <param name="Checksum">A number derived from the results (echoed bytes, exit codes, sums); checked by the benchmark.</param>
/// <param name="Bytes">Bytes moved, for throughput figures; 0 otherwise.</param>
public sealed record Work(long Operations, ulong Checksum, long Bytes = 0);
