namespace PosixProcs;

/// <summary>Which of a program's output streams a line came from.</summary>
public enum OutputSource
{
    /// <summary>Standard output (descriptor 1).</summary>
    StandardOutput = 1,

    /// <summary>Standard error (descriptor 2).</summary>
    StandardError = 2,
}
