namespace PosixProcs;

/// <summary>
/// One program of a <see cref="Pipeline"/>: its stdin and stdout are the pipes the pipeline
/// wires (or, for the first and last stage, <see cref="PipelineOptions"/>' redirections);
/// everything else is set here, as <see cref="SpawnOptions"/> sets it for a single spawn.
/// </summary>
public sealed class PipelineStage
{
    /// <summary>Creates a stage.</summary>
    /// <param name="program">A path, or a bare name looked up in PATH.</param>
    /// <param name="arguments">The arguments after argv[0] (which is <paramref name="program"/>), passed exactly as given (no shell).</param>
    /// <exception cref="ArgumentException">The program is empty, or an argument is null.</exception>
    public PipelineStage(string program, params IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        string[] copied = [.. arguments];
        foreach (string argument in copied)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(arguments));
        }

        Program = program;
        Arguments = copied;
    }

    /// <summary>The program: a path, or a bare name looked up in PATH.</summary>
    public string Program { get; }

    /// <summary>The arguments after argv[0].</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The stage's stderr. Default <see cref="StdioRedirect.Inherit"/>; a pipe appears on the stage's <see cref="ChildProcess.StandardError"/>.</summary>
    public StdioRedirect StandardError { get; init; } = StdioRedirect.Inherit;

    /// <summary>Descriptors passed on purpose, at the numbers the stage should see (3 and up). Nothing else is inherited. Default none.</summary>
    public IReadOnlyList<DescriptorMapping> ExtraDescriptors { get; init; } = [];

    /// <summary>Changes to this process's environment for the stage: a <c>null</c> value removes a variable. Default none.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The stage's working directory. Default this process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Resource limits set in the stage before exec. Default none.</summary>
    public IReadOnlyList<ResourceLimit> ResourceLimits { get; init; } = [];

    /// <summary>The command as a shell would show it, e.g. <c>head -n 1</c>.</summary>
    /// <returns>The program and its arguments, separated by spaces (not quoted).</returns>
    public override string ToString() => Arguments.Count == 0 ? Program : $"{Program} {string.Join(' ', Arguments)}";
}
