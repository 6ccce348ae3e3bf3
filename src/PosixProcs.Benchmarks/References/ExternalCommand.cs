namespace PosixProcs.Benchmarks;

/// <summary>A program and its arguments, run without a shell.</summary>
/// <param name="Program">The program's path (no PATH search).</param>
/// <param name="Arguments">The arguments after argv[0].</param>
public sealed record ExternalCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>The same command with more arguments at the end.</summary>
    /// <param name="more">The extra arguments.</param>
    /// <returns>The new command.</returns>
    public ExternalCommand With(params string[] more) => this with { Arguments = [.. Arguments, .. more] };

    /// <summary>The command line as a person would type it (for messages; not re-parsable).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Join(' ', new[] { Program }.Concat(Arguments));
}
