namespace PosixProcs.Benchmarks;

/// <summary>
/// A target the issues set for PosixProcs code that does not exist yet (the ring, the
/// pool, the duplex connection): the reference is measured now and shown with the target,
/// marked pending, so the report says plainly what is still to be compared.
/// </summary>
/// <param name="Figure">The reference figure, e.g. <c>py.ppe_submit</c>.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="ExpectedCount">Operations per repetition the reference must report.</param>
/// <param name="Measured">The PosixProcs figure that will be compared, e.g. <c>pool.trivial_tasks</c>.</param>
/// <param name="Description">What one operation is.</param>
/// <param name="Target">The target from the issues, or <c>null</c> when they name the comparison without a number.</param>
/// <param name="Waiting">What the comparison waits for, e.g. <c>a SharedQueue benchmark on the PosixProcs side</c>.</param>
public sealed record PendingTarget(string Figure, Unit Unit, long ExpectedCount, string Measured, string Description, Target? Target, string Waiting);
