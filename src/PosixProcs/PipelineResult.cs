namespace PosixProcs;

/// <summary>How every stage of a <see cref="Pipeline"/> ended, and the pipeline's status under its <see cref="PipelineStatusMode"/>.</summary>
public sealed class PipelineResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="stages">Each stage's status, in stage order; every one has ended.</param>
    /// <param name="mode">Which stage's status is the pipeline's.</param>
    /// <exception cref="ArgumentException">No stage, or a stage that has not ended.</exception>
    public PipelineResult(IReadOnlyList<WaitStatus> stages, PipelineStatusMode mode)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A pipeline has at least one stage.", nameof(stages));
        }

        for (int k = 0; k < stages.Count; k++)
        {
            if (stages[k] is not { HasEnded: true })
            {
                throw new ArgumentException($"Stage {k} has not ended ({stages[k]?.ToString() ?? "null"}).", nameof(stages));
            }
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown status mode.");
        }

        Stages = [.. stages];
        Mode = mode;
        StatusStage = Stages.Count - 1;
        if (mode == PipelineStatusMode.Pipefail)
        {
            for (int k = Stages.Count - 1; k >= 0; k--)
            {
                if (!Stages[k].IsSuccess)
                {
                    StatusStage = k;
                    break;
                }
            }
        }
    }

    /// <summary>Each stage's status, in stage order.</summary>
    public IReadOnlyList<WaitStatus> Stages { get; }

    /// <summary>The rule that chose <see cref="StatusStage"/>.</summary>
    public PipelineStatusMode Mode { get; }

    /// <summary>The index of the stage whose status is the pipeline's.</summary>
    public int StatusStage { get; }

    /// <summary>The pipeline's status: <see cref="Stages"/>[<see cref="StatusStage"/>].</summary>
    public WaitStatus Status => Stages[StatusStage];

    /// <summary>Whether the pipeline succeeded (its status is exit code 0).</summary>
    public bool IsSuccess => Status.IsSuccess;

    /// <summary>E.g. <c>exited with code 0 (stages: killed by SIGPIPE | exited with code 0)</c>.</summary>
    /// <returns>The status and every stage's.</returns>
    public override string ToString() => $"{Status} (stages: {string.Join(" | ", Stages)})";
}
