namespace PosixProcs;

/// <summary>
/// A program run by <see cref="ChildProcess.RunAsync"/> or <see cref="ChildProcess.RunLinesAsync"/>
/// did not exit with code 0 (it exited with another code, or a signal ended it), and
/// <see cref="RunOptions.ThrowOnNonZeroExit"/> was set. The message ends with the tail of its stderr.
/// </summary>
public sealed class NonZeroExitException : Exception
{
    private const int MessageTailCharacters = 2000;

    /// <summary>Creates the exception.</summary>
    /// <param name="program">The program, as it was given.</param>
    /// <param name="result">How it ended and what it wrote.</param>
    public NonZeroExitException(string program, RunResult result)
        : base(Describe(program, result))
    {
        Program = program;
        Result = result;
    }

    /// <summary>The program, as it was given.</summary>
    public string Program { get; }

    /// <summary>How it ended, its outputs, duration and resource usage.</summary>
    public RunResult Result { get; }

    private static string Describe(string program, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(result);
        string stderr = result.StandardError.TrimEnd();
        if (stderr.Length == 0)
        {
            return $"'{program}' (pid {result.Pid}) {result.Status}; it wrote nothing on stderr.";
        }

        string tail = stderr.Length <= MessageTailCharacters ? stderr : "..." + stderr[^MessageTailCharacters..];
        return $"'{program}' (pid {result.Pid}) {result.Status}; stderr ends with:{System.Environment.NewLine}{tail}";
    }
}
