namespace PosixProcs;

/// <summary>How to start a <see cref="Pipeline"/>. Every property has a safe default.</summary>
public sealed class PipelineOptions
{
    /// <summary>The first stage's stdin. Default <see cref="StdioRedirect.Inherit"/>; a pipe appears on <see cref="Pipeline.StandardInput"/>.</summary>
    public StdioRedirect StandardInput { get; init; } = StdioRedirect.Inherit;

    /// <summary>The last stage's stdout. Default <see cref="StdioRedirect.Inherit"/>; a pipe appears on <see cref="Pipeline.StandardOutput"/>.</summary>
    public StdioRedirect StandardOutput { get; init; } = StdioRedirect.Inherit;

    /// <summary>Which stage's status is the pipeline's. Default <see cref="PipelineStatusMode.LastStage"/>, as sh.</summary>
    public PipelineStatusMode StatusMode { get; init; } = PipelineStatusMode.LastStage;

    /// <summary>
    /// A signal every stage receives when the spawning THREAD exits (Linux). Start from a
    /// thread that lives as long as the pipeline should. Default none.
    /// </summary>
    public Signal? ParentDeathSignal { get; init; }
}
