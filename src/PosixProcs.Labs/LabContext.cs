namespace PosixProcs.Labs;

/// <summary>Where a lab tells what it does. The command line renders it as plain text or with colours; JSON runs stay silent.</summary>
public interface ILabNarrator
{
    /// <summary>A section header.</summary>
    /// <param name="title">The header.</param>
    void Section(string title);

    /// <summary>The lab's claim.</summary>
    /// <param name="claim">One sentence.</param>
    void Claim(string claim);

    /// <summary>A step of the lab, in a sentence.</summary>
    /// <param name="text">The sentence.</param>
    void Say(string text);

    /// <summary>A measured number.</summary>
    /// <param name="description">What it is.</param>
    /// <param name="value">The value with its unit.</param>
    void Measured(string description, string value);

    /// <summary>A check of the claim, decided.</summary>
    /// <param name="description">The condition with its numbers.</param>
    /// <param name="verdict">Whether it held, did not, or (a timing check on a busy machine) could not be judged.</param>
    void Checked(string description, LabVerdict verdict);

    /// <summary>A suggestion of what to try next.</summary>
    /// <param name="text">The suggestion.</param>
    void Suggest(string text);
}

/// <summary>A narrator that says nothing (for <c>--json</c> and tests).</summary>
public sealed class SilentNarrator : ILabNarrator
{
    /// <summary>The one instance.</summary>
    public static SilentNarrator Instance { get; } = new();

    /// <inheritdoc/>
    public void Section(string title)
    {
    }

    /// <inheritdoc/>
    public void Claim(string claim)
    {
    }

    /// <inheritdoc/>
    public void Say(string text)
    {
    }

    /// <inheritdoc/>
    public void Measured(string description, string value)
    {
    }

    /// <inheritdoc/>
    public void Checked(string description, LabVerdict verdict)
    {
    }

    /// <inheritdoc/>
    public void Suggest(string text)
    {
    }
}

/// <summary>How to start this program again (for labs that need a sacrificial process with other runtime settings).</summary>
/// <param name="Path">The executable: the apphost, or <c>dotnet</c>.</param>
/// <param name="LeadingArguments">Arguments before the subcommand, e.g. the path of the dll when <paramref name="Path"/> is dotnet.</param>
public sealed record SelfCommand(string Path, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>argv for running <paramref name="arguments"/> in a new copy of this program.</summary>
    /// <param name="arguments">The subcommand and its arguments.</param>
    /// <returns>argv, argv[0] included.</returns>
    public IReadOnlyList<string> Argv(params string[] arguments) => [System.IO.Path.GetFileName(Path), .. LeadingArguments, .. arguments];
}

/// <summary>What a lab run needs from its caller.</summary>
/// <param name="Narrator">Where the narration goes.</param>
/// <param name="Self">How to start this program again; null where it cannot (labs that need it then fail with a clear message).</param>
public sealed record LabContext(ILabNarrator Narrator, SelfCommand? Self);
