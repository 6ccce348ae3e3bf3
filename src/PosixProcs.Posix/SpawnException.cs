namespace PosixProcs;

/// <summary>A program could not be started: the failing step and its errno, as the child reported it before exec.</summary>
public sealed class SpawnException : PosixException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="program">The program that was to run.</param>
    /// <param name="step">The step that failed.</param>
    /// <param name="errno">Its errno.</param>
    public SpawnException(string program, SpawnStep step, PosixErrno errno)
        : base(CallNameOf(step), errno)
    {
        Program = program;
        Step = step;
    }

    /// <summary>Creates the exception for a stage of a pipeline (<see cref="Posix.SpawnPipeline"/>).</summary>
    /// <param name="program">The stage's program.</param>
    /// <param name="step">The step that failed.</param>
    /// <param name="errno">Its errno.</param>
    /// <param name="pipelineStage">The stage's index, 0 for the first.</param>
    public SpawnException(string program, SpawnStep step, PosixErrno errno, int pipelineStage)
        : this(program, step, errno)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pipelineStage);
        PipelineStage = pipelineStage;
    }

    /// <summary>The program that was to run.</summary>
    public string Program { get; }

    /// <summary>The index of the pipeline stage that could not be started (0 for the first); <c>null</c> for a single spawn.</summary>
    public int? PipelineStage { get; }

    /// <summary>The step that failed.</summary>
    public SpawnStep Step { get; }

    /// <inheritdoc/>
    public override string Message => PipelineStage is { } stage
        ? $"spawn pipeline stage {stage} ({Program}): {base.Message}"
        : $"spawn {Program}: {base.Message}";

    /// <summary>The C call behind a step, for the message.</summary>
    /// <param name="step">The step.</param>
    /// <returns>E.g. "execve" or "chdir".</returns>
    public static string CallNameOf(SpawnStep step) => step switch
    {
        SpawnStep.Fork => "clone",
        SpawnStep.Pipe => "pipe2",
        SpawnStep.Signals => "sigaction",
        SpawnStep.CreateSession => "setsid",
        SpawnStep.SetProcessGroup => "setpgid",
        SpawnStep.ParentDeathSignal => "prctl(PR_SET_PDEATHSIG)",
        SpawnStep.ResourceLimit => "setrlimit",
        SpawnStep.Descriptors => "dup2",
        SpawnStep.WorkingDirectory => "chdir",
        SpawnStep.Exec => "execve",
        _ => "spawn",
    };
}
