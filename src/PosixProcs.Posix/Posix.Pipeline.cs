using System.Runtime.InteropServices;

namespace PosixProcs;

public static partial class Posix
{
    /// <summary>
    /// Starts a pipeline, as a shell runs <c>a | b | c</c>: stage i's stdout is a pipe to stage
    /// i+1's stdin. The pipes are created, installed and closed in C, so this process never
    /// holds an inner pipe end and no byte of the stream passes through managed code. Each
    /// stage is spawned as <see cref="Spawn"/> does; the first leads a new process group and
    /// every other stage joins it before exec, so <see cref="KillProcessGroup"/> with the first
    /// pid reaches the whole pipeline.
    /// </summary>
    /// <param name="stages">
    /// The stages, in order. Their descriptors are the caller's redirections: the first stage's
    /// 0 and the last stage's 1 (plus stderr and any other number for every stage); a stage may
    /// not map the ends the pipeline wires (0 of a stage after the first, 1 of a stage before
    /// the last), nor ask for its own process group or session.
    /// </param>
    /// <returns>The stages' pids, in order; the first is also the pipeline's process group. Wait for each: they are zombies until reaped.</returns>
    /// <exception cref="ArgumentException">No stage, or a stage's request conflicts with the pipeline's wiring.</exception>
    /// <exception cref="SpawnException">
    /// A stage could not be started (<see cref="SpawnException.PipelineStage"/> names it); the
    /// stages already started have been killed and reaped, and every pipe closed.
    /// </exception>
    public static unsafe IReadOnlyList<Pid> SpawnPipeline(IReadOnlyList<SpawnRequest> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one stage.", nameof(stages));
        }

        for (int k = 0; k < stages.Count; k++)
        {
            CheckStage(stages[k], k, stages.Count, nameof(stages));
        }

        var pinned = new List<SafeHandle>();
        var allocations = new List<IntPtr>();
        try
        {
            var natives = (SpawnRequestNative*)Allocate(sizeof(SpawnRequestNative) * stages.Count, allocations);
            for (int k = 0; k < stages.Count; k++)
            {
                natives[k] = ToNative(stages[k], nameof(stages), pinned, allocations);
            }

            int[] pids = new int[stages.Count];
            int failedStage = -1;
            int failedStep = 0;
            fixed (int* pidsPointer = pids)
            {
                if (Interop.PosixProcsNative_SpawnPipeline(natives, stages.Count, pidsPointer, &failedStage, &failedStep) < 0)
                {
                    PosixErrno errno = Errors.LastErrno();
                    if (failedStage < 0)
                    {
                        // Refused before any stage started; the checks above should have caught it.
                        throw new PosixException("spawn", errno);
                    }

                    throw new SpawnException(stages[failedStage].Path, (SpawnStep)failedStep, errno, failedStage);
                }
            }

            return [.. pids.Select(pid => new Pid(pid))];
        }
        finally
        {
            Release(pinned, allocations);
        }
    }

    private static void CheckStage(SpawnRequest? stage, int index, int count, string parameterName)
    {
        if (stage is null)
        {
            throw new ArgumentException($"Stage {index} is null.", parameterName);
        }

        if (stage.NewProcessGroup || stage.NewSession)
        {
            throw new ArgumentException($"Stage {index} asks for its own process group or session; a pipeline's stages share the first stage's group.", parameterName);
        }

        // The shim adds up to two mappings (the pipe ends) to the 256 a spawn takes.
        if (stage.Descriptors.Count > 254)
        {
            throw new ArgumentException($"Stage {index} maps {stage.Descriptors.Count} descriptors; a pipeline stage takes at most 254.", parameterName);
        }

        foreach (DescriptorMapping mapping in stage.Descriptors)
        {
            if (mapping.ChildFd == 0 && index > 0)
            {
                throw new ArgumentException($"Stage {index} maps descriptor 0, which the pipeline connects to stage {index - 1}'s output.", parameterName);
            }

            if (mapping.ChildFd == 1 && index < count - 1)
            {
                throw new ArgumentException($"Stage {index} maps descriptor 1, which the pipeline connects to stage {index + 1}'s input.", parameterName);
            }
        }
    }
}
