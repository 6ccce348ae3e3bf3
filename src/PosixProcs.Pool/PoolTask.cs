namespace PosixProcs.Pool;

/// <summary>One submitted task, on the parent's side.</summary>
internal sealed class PoolTask(long id, int delegateId, byte[] argument, CancellationToken cancellationToken)
{
    public long Id { get; } = id;

    public int DelegateId { get; } = delegateId;

    public byte[] Argument { get; } = argument;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<byte[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Times it was handed to a worker that then died while running it.</summary>
    public int Attempts { get; set; }

    /// <summary>Cancellation was asked for: its result, if any, is dropped.</summary>
    public bool CancelRequested { get; set; }

    public CancellationTokenRegistration CancellationRegistration { get; set; }

    public bool IsFinished => Completion.Task.IsCompleted;
}
