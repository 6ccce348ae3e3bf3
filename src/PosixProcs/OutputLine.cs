namespace PosixProcs;

/// <summary>One line a program wrote, as <see cref="ChildProcess.RunLinesAsync"/> streams it.</summary>
/// <param name="Source">Standard output or standard error.</param>
/// <param name="Text">The line, without its end-of-line characters.</param>
public readonly record struct OutputLine(OutputSource Source, string Text)
{
    /// <summary>The text itself.</summary>
    /// <returns><see cref="Text"/>.</returns>
    public override string ToString() => Text;
}
