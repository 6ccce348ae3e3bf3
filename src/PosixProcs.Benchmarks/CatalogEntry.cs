namespace PosixProcs.Benchmarks;

/// <summary>A benchmark in the catalog: its name (for <c>--filter</c>) and how to create it.</summary>
/// <param name="Name">The measured figure's name, e.g. <c>posix.spawn_true</c>.</param>
/// <param name="Create">Creates the benchmark; nothing is allocated or forked for benchmarks that are filtered out.</param>
public sealed record CatalogEntry(string Name, Func<Benchmark> Create);
