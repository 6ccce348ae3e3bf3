namespace PosixProcs.Pool;

/// <summary>One submitted task, on the parent's side.</summary>
internal sealed class PoolTask(long id, DelegateTable.Entry function, byte[] argument, CancellationToken cancellationToken)
{
    public long Id { get; } = id;

    public int DelegateId => Function.Id;

    public byte[] Argument { get; } = argument;

    /// <summary>
    /// The function's table entry, held while the task lives: the table itself holds functions
    /// weakly, so a closure and what it captured are released once no task needs them.
    /// </summary>
    public DelegateTable.Entry Function { get; } = function;

    /// <summary>Its number on the worker it was last written to (see <see cref="TaskClaim"/>).</summary>
    public long WorkerSequence { get; set; }

    /// <summary>
    /// When the dispatcher saw its worker claim it (Environment.TickCount64; 0: not yet):
    /// the task's time limit runs from here, so a worker's start-up and the loading of a
    /// function definition never count against the task.
    /// </summary>
    public long StartedAt { get; set; }

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<byte[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Times it was handed to a worker that then died while running it.</summary>
    public int Attempts { get; set; }

    /// <summary>Cancellation was asked for: its result, if any, is dropped.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>
    /// Withdrawn by its caller (a lazy map abandoned early): if it has not started it is dropped
    /// like a cancelled task, but if it is running its worker is not killed: the task finishes,
    /// its result is dropped, and only then is it reported cancelled.
    /// </summary>
    public bool LetRunningFinish { get; set; }

    public CancellationTokenRegistration CancellationRegistration { get; set; }

    public bool IsFinished => Completion.Task.IsCompleted;
}
