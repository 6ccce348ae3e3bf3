namespace PosixProcs.Pool;

/// <summary>
/// Blocking forms for callers without async (Python's apply and map): each blocks the calling
/// thread until its result is in. The pool's own work never runs on that thread, so blocking
/// cannot deadlock it, but a thread-pool thread blocked here is one the process cannot use.
/// </summary>
public sealed partial class ProcessPool
{
    /// <summary>Runs <paramref name="function"/> in a worker and blocks the calling thread until it returns (Python's apply).</summary>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="function">The work; a closure works as it is under <see cref="StartMethod.Fork"/>.</param>
    /// <param name="cancellationToken">Cancels the task (see <see cref="SubmitAsync{TResult}(Func{TResult}, CancellationToken)"/>).</param>
    /// <returns>The result.</returns>
    /// <exception cref="TaskFaultedException">The function threw.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="TimeoutException">It ran over <see cref="ProcessPoolOptions.TaskTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The pool is closed or shut down.</exception>
    public TResult Apply<TResult>(Func<TResult> function, CancellationToken cancellationToken = default) =>
        SubmitAsync(function, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="function"/> on <paramref name="argument"/> in a worker and blocks the calling thread until it returns (Python's apply with args).</summary>
    /// <typeparam name="TArg">The argument's type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="function">The work.</param>
    /// <param name="argument">Its argument; it crosses by the pool's serializer.</param>
    /// <param name="cancellationToken">Cancels the task.</param>
    /// <returns>The result.</returns>
    /// <exception cref="TaskFaultedException">The function threw.</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running it.</exception>
    /// <exception cref="PoolSerializationException">The argument or the result cannot cross with the pool's serializer.</exception>
    /// <exception cref="ObjectDisposedException">The pool is closed or shut down.</exception>
    public TResult Apply<TArg, TResult>(Func<TArg, TResult> function, TArg argument, CancellationToken cancellationToken = default) =>
        SubmitAsync(function, argument, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Applies <paramref name="function"/> to every item in workers and blocks the calling thread
    /// until all results are in (Python's map); see <see cref="MapAsync{TIn, TOut}"/>.
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task; default as Python's: items / (4 × workers), at least 1.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    /// <exception cref="TaskFaultedException">The function threw for an item (the first failed chunk's exception).</exception>
    /// <exception cref="ObjectDisposedException">The pool is closed or shut down.</exception>
    public IReadOnlyList<TOut> Map<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default) =>
        MapAsync(items, function, chunkSize, cancellationToken).GetAwaiter().GetResult();
}
