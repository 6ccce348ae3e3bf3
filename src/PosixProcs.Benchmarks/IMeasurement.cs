namespace PosixProcs.Benchmarks;

/// <summary>
/// One side of a comparison: something that can be measured once per round. The harness
/// starts it, asks for one sample per round (alternating with the other side), and
/// disposes it. Implementations: <see cref="InProcessMeasurement"/> (timed here) and
/// <see cref="ExternalMeasurement"/> (a C or Python reference that times itself).
/// </summary>
public interface IMeasurement : IDisposable
{
    /// <summary>The figure's name, e.g. <c>posix.pipe_pingpong_64B</c> or <c>c.pipe_pingpong_64B</c>.</summary>
    string Name { get; }

    /// <summary>The figure's unit.</summary>
    Unit Unit { get; }

    /// <summary>Prepares (forks helper children, maps memory, pre-compiles). Called once, before warm-up.</summary>
    void Start();

    /// <summary>An untimed repetition, so caches, page tables and the JIT are warm.</summary>
    void WarmUp();

    /// <summary>One timed repetition; its work has been checked.</summary>
    /// <returns>The value in <see cref="Unit"/>.</returns>
    /// <exception cref="BenchmarkCheckException">The work did not check out.</exception>
    double MeasureOnce();
}
