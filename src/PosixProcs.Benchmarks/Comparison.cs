namespace PosixProcs.Benchmarks;

/// <summary>A reference the measured code is compared with, and the target ratio if the issues set one.</summary>
/// <param name="Reference">The reference (a C or Python program, or other .NET code).</param>
/// <param name="Target">The target ratio measured / reference; <c>null</c> when the ratio is only context.</param>
public sealed record Comparison(IMeasurement Reference, Target? Target);
