namespace PosixProcs;

/// <summary>
/// Programs connected as a shell connects <c>a | b | c</c>, started by
/// <see cref="Start(IReadOnlyList{PipelineStage}, PipelineOptions?)"/>: wait for all of them,
/// signal them as one job, and be sure every stage is reaped.
/// </summary>
/// <remarks>
/// The pipes between the stages are created, handed to the stages and closed in C
/// (<see cref="Posix.SpawnPipeline"/>): this process never holds an inner pipe end, so no byte
/// passes through managed code, and a stage sees end-of-file as soon as the stage before it
/// exits. Only the outer ends are here, when asked for: <see cref="StandardInput"/> (to the
/// first stage) and <see cref="StandardOutput"/> (from the last). The stages form one process
/// group, led by the first stage, like a shell's job: <see cref="Signal"/> reaches every stage
/// and whatever they started in the group. The group is not the terminal's foreground group,
/// so a Ctrl-C typed at a terminal reaches this process, not the pipeline; and a stage that
/// reads the controlling terminal it inherited is stopped by SIGTTIN, as a background job is:
/// when this process's stdin is a terminal, give the first stage a pipe, a file or /dev/null.
/// Each stage is a <see cref="ChildProcess"/>, waited for by its own pid, never "any child".
/// </remarks>
public sealed class Pipeline : IDisposable, IAsyncDisposable
{
    private readonly ChildProcess[] _stages;
    private readonly PipelineStatusMode _mode;
    private int _disposed;

    private Pipeline(ChildProcess[] stages, PipelineStatusMode mode)
    {
        _stages = stages;
        _mode = mode;
    }

    /// <summary>The stages, in order: each one's pid, status, stderr pipe (if asked for), wait and signal.</summary>
    public IReadOnlyList<ChildProcess> Stages => _stages;

    /// <summary>The pipeline's process group: the first stage's pid.</summary>
    public Pid ProcessGroup => _stages[0].Pid;

    /// <summary>The pipe to the first stage's stdin, if <see cref="PipelineOptions.StandardInput"/> was <see cref="StdioRedirect.Pipe"/>.</summary>
    public FileDescriptorStream? StandardInput => _stages[0].StandardInput;

    /// <summary>The pipe from the last stage's stdout, if <see cref="PipelineOptions.StandardOutput"/> was <see cref="StdioRedirect.Pipe"/>.</summary>
    public FileDescriptorStream? StandardOutput => _stages[^1].StandardOutput;

    /// <summary>Whether every stage has ended and been reaped.</summary>
    public bool HasExited => _stages.All(stage => stage.HasExited);

    /// <summary>
    /// Starts the stages, connected by pipes, fork+exec done in C for each (safe from any
    /// process, however many threads it has). argv is passed exactly as given, never
    /// through a shell.
    /// </summary>
    /// <param name="stages">The programs, first to last; at least one.</param>
    /// <param name="options">The first stage's stdin, the last stage's stdout, the status mode.</param>
    /// <returns>The running pipeline.</returns>
    /// <exception cref="ArgumentException">No stage, or a stage's extra descriptor is a standard stream.</exception>
    /// <exception cref="SpawnException">
    /// A stage could not be started; <see cref="SpawnException.PipelineStage"/> names it. The
    /// stages already started have been killed and reaped: nothing is left running.
    /// </exception>
    public static Pipeline Start(IReadOnlyList<PipelineStage> stages, PipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one stage.", nameof(stages));
        }

        options ??= new PipelineOptions();
        if (!Enum.IsDefined(options.StatusMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StatusMode, "Unknown status mode.");
        }

        string[] paths = new string[stages.Count];
        for (int k = 0; k < stages.Count; k++)
        {
            PipelineStage stage = stages[k] ?? throw new ArgumentException($"Stage {k} is null.", nameof(stages));
            if (stage.ExtraDescriptors.FirstOrDefault(extra => extra.ChildFd < 3) is { } standard)
            {
                throw new ArgumentException($"Stage {k} maps descriptor {standard.ChildFd}, a standard stream: the pipeline wires stdin and stdout, PipelineStage.StandardError sets stderr.", nameof(stages));
            }

            try
            {
                paths[k] = ProgramPath.Resolve(stage.Program);
            }
            catch (SpawnException ex) when (ex.PipelineStage is null)
            {
                throw new SpawnException(ex.Program, ex.Step, ex.Errno, k);
            }
        }

        var owned = new List<IDisposable>();
        try
        {
            int last = stages.Count - 1;
            (FileDescriptorHandle? stdin, FileDescriptorHandle? parentStdin) = ChildProcess.Prepare(options.StandardInput, 0, FileAccess.Read, terminal: null, owned);
            (FileDescriptorHandle? stdout, FileDescriptorHandle? parentStdout) = ChildProcess.Prepare(options.StandardOutput, 1, FileAccess.Write, terminal: null, owned);
            var parentStderr = new FileDescriptorHandle?[stages.Count];
            var requests = new SpawnRequest[stages.Count];
            for (int k = 0; k < stages.Count; k++)
            {
                PipelineStage stage = stages[k];
                (FileDescriptorHandle? stderr, parentStderr[k]) = ChildProcess.Prepare(stage.StandardError, 2, FileAccess.Write, terminal: null, owned);
                var descriptors = new List<DescriptorMapping>();
                if (k == 0)
                {
                    descriptors.Add(new DescriptorMapping(0, stdin));
                }

                if (k == last)
                {
                    descriptors.Add(new DescriptorMapping(1, stdout));
                }

                descriptors.Add(new DescriptorMapping(2, stderr));
                descriptors.AddRange(stage.ExtraDescriptors);
                requests[k] = new SpawnRequest(paths[k], [stage.Program, .. stage.Arguments])
                {
                    Environment = ChildProcess.MergeEnvironment(stage.Environment),
                    WorkingDirectory = stage.WorkingDirectory,
                    Descriptors = descriptors,
                    ParentDeathSignal = options.ParentDeathSignal,
                    ResourceLimits = stage.ResourceLimits,
                };
            }

            IReadOnlyList<Pid> pids = Posix.SpawnPipeline(requests);
            ChildProcess[] children = Adopt(pids, k => (k == 0 ? parentStdin : null, k == last ? parentStdout : null, parentStderr[k]));
            owned.RemoveAll(o => o == parentStdin || o == parentStdout || parentStderr.Contains(o));
            return new Pipeline(children, options.StatusMode);
        }
        finally
        {
            // The stages' ends (and /dev/null) are the stages' now; the parent must not keep
            // a write end open, or its reader would never see end-of-file.
            owned.ForEach(o => o.Dispose());
        }
    }

    /// <summary>Waits until every stage has ended, without blocking a thread, and reaps them all.</summary>
    /// <param name="cancellationToken">Stops waiting (the stages keep running).</param>
    /// <returns>Every stage's status and the pipeline's.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<PipelineResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        WaitStatus[] statuses = await Task.WhenAll(_stages.Select(stage => stage.WaitAsync(cancellationToken))).ConfigureAwait(false);
        return new PipelineResult(statuses, _mode);
    }

    /// <summary>Waits until every stage has ended, and reaps them all.</summary>
    /// <returns>Every stage's status and the pipeline's.</returns>
    public PipelineResult Wait() => new([.. _stages.Select(stage => stage.Wait())], _mode);

    /// <summary>Waits at most <paramref name="timeout"/> for every stage to end.</summary>
    /// <param name="timeout">How long in all; <see cref="Timeout.InfiniteTimeSpan"/> for ever.</param>
    /// <returns>The result, or <c>null</c> if a stage still runs when the time is up.</returns>
    public PipelineResult? Wait(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        foreach (ChildProcess stage in _stages)
        {
            TimeSpan left = deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
            if (!stage.Wait(left))
            {
                return null;
            }
        }

        return new PipelineResult([.. _stages.Select(stage => stage.Status!)], _mode);
    }

    /// <summary>Sends a signal to the pipeline's process group: every stage, and what they started in it.</summary>
    /// <param name="signal">The signal.</param>
    /// <exception cref="InvalidOperationException">Every stage has already been reaped: the group's number may belong to another process now.</exception>
    /// <exception cref="PosixException">killpg or kill failed.</exception>
    public void Signal(Signal signal)
    {
        if (!TrySignalGroup(signal))
        {
            throw new InvalidOperationException($"Every stage of pipeline {ProcessGroup} has already ended; its group may belong to another process now.");
        }
    }

    /// <summary>Kills every stage with SIGKILL, through the group (no-op once every stage has been reaped). Does not wait.</summary>
    public void Kill() => TrySignalGroup(PosixProcs.Signal.SIGKILL);

    /// <summary>Kills the stages that still run (the whole group), reaps every stage, and closes the pipes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        foreach (ChildProcess stage in _stages)
        {
            stage.Dispose();
        }
    }

    /// <summary>Disposes the pipeline; see <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>"pipeline 1234 (3 stages)".</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"pipeline {ProcessGroup} ({_stages.Length} stage{(_stages.Length == 1 ? string.Empty : "s")})";

    /// <summary>
    /// ChildProcess handles for the pids just spawned. If one cannot be made (a pidfd that
    /// cannot be opened), every stage is killed and reaped before the error goes on.
    /// </summary>
    private static ChildProcess[] Adopt(IReadOnlyList<Pid> pids, Func<int, (FileDescriptorHandle? In, FileDescriptorHandle? Out, FileDescriptorHandle? Err)> parentEnds)
    {
        var children = new ChildProcess[pids.Count];
        int made = 0;
        try
        {
            for (; made < pids.Count; made++)
            {
                (FileDescriptorHandle? stdin, FileDescriptorHandle? stdout, FileDescriptorHandle? stderr) = parentEnds(made);
                children[made] = ChildProcess.Spawned(pids[made], stdin, stdout, stderr);
            }

            return children;
        }
        catch
        {
            // Nothing has been reaped yet, so the group (the first pid) is still this pipeline's.
            Posix.KillProcessGroup(pids[0], PosixProcs.Signal.SIGKILL);
            for (int k = 0; k < pids.Count; k++)
            {
                if (k < made)
                {
                    children[k].Dispose();
                }
                else
                {
                    Posix.WaitPid(pids[k]);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// killpg while holding the lock of a stage that has not been reaped (the first such stage
    /// in order, the group's leader if it still is unreaped): a group with an unreaped member
    /// cannot be gone, and its number cannot be reused. If killpg says ESRCH, every unreaped
    /// stage has left the group (setsid or setpgid of its own), and each is signalled by pid.
    /// </summary>
    /// <returns>False if every stage has been reaped (nothing was signalled).</returns>
    private bool TrySignalGroup(Signal signal)
    {
        bool groupGone = false;
        foreach (ChildProcess stage in _stages)
        {
            if (stage.RunWhileUnreaped(() => groupGone = !TryKillGroup(signal)))
            {
                if (!groupGone)
                {
                    return true;
                }

                break;
            }
        }

        if (!groupGone)
        {
            return false;
        }

        bool any = false;
        foreach (ChildProcess stage in _stages)
        {
            any |= stage.RunWhileUnreaped(() => Posix.Kill(stage.Pid, signal));
        }

        return any;
    }

    private bool TryKillGroup(Signal signal)
    {
        try
        {
            Posix.KillProcessGroup(ProcessGroup, signal);
            return true;
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.ESRCH)
        {
            return false;
        }
    }
}
