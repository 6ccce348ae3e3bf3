namespace PosixProcs.Benchmarks;

/// <summary>
/// A benchmark or reference did not do the work it claims (wrong checksum, wrong count,
/// a child that failed or hung, unparsable reference output). The figure is not reported.
/// </summary>
public sealed class BenchmarkCheckException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BenchmarkCheckException()
    {
    }

    /// <summary>Creates the exception with a message that says what did not hold.</summary>
    /// <param name="message">The message.</param>
    public BenchmarkCheckException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BenchmarkCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
