using System.Runtime.CompilerServices;

namespace PosixProcs.Pool;

/// <summary>
/// Lazy maps: the input is read only a bounded number of chunks ahead of the results the
/// caller has taken, so an endless input works (Python's imap and imap_unordered).
/// </summary>
public sealed partial class ProcessPool
{
    /// <summary>
    /// Applies <paramref name="function"/> to every item in workers and yields the results in
    /// input order as they arrive (Python's <c>Pool.imap</c>). The input is read lazily: at most
    /// <paramref name="maxChunksInFlight"/> chunks are submitted and not yet yielded at any
    /// time, so an endless input works and memory stays bounded.
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs; read on the enumerating thread, a chunk at a time.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task. Default 1.</param>
    /// <param name="maxChunksInFlight">Chunks submitted ahead of the caller. Default: <see cref="ProcessPoolOptions.WorkerCount"/> × <see cref="ProcessPoolOptions.PipelineDepth"/>, enough to keep every worker's queue full.</param>
    /// <param name="cancellationToken">
    /// Cancels the map as a token cancels any task: chunks not started are dropped, running ones
    /// have their workers killed and replaced; the enumeration throws <see cref="OperationCanceledException"/>
    /// at its next step, even if results are already in.
    /// </param>
    /// <returns>The results, in input order.</returns>
    /// <remarks>
    /// A chunk that fails throws its exception when the enumeration reaches it. Leaving the
    /// enumeration early (break, an exception, disposing the enumerator) withdraws every chunk in
    /// flight: those not started never run, those running finish in their workers (no worker is
    /// killed) and their results are dropped; disposal returns once they have, so nothing the map
    /// submitted is left running. A chunk that fails while being dropped this way is not reported.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="maxChunksInFlight"/> below 1 (thrown at once).</exception>
    public IAsyncEnumerable<TOut> MapOrderedAsync<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> function, int chunkSize = 1, int? maxChunksInFlight = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MapOrderedAsync(items.ToAsyncEnumerable(), function, chunkSize, maxChunksInFlight, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="MapOrderedAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, int, int?, CancellationToken)"/>
    /// over an asynchronous input (a channel, a network stream of records): results in input order.
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs; enumerated with <paramref name="cancellationToken"/>.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task. Default 1.</param>
    /// <param name="maxChunksInFlight">Chunks submitted ahead of the caller. Default: <see cref="ProcessPoolOptions.WorkerCount"/> × <see cref="ProcessPoolOptions.PipelineDepth"/>, enough to keep every worker's queue full.</param>
    /// <param name="cancellationToken">Cancels the map (see the overload over <see cref="IEnumerable{T}"/>).</param>
    /// <returns>The results, in input order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="maxChunksInFlight"/> below 1 (thrown at once).</exception>
    public IAsyncEnumerable<TOut> MapOrderedAsync<TIn, TOut>(IAsyncEnumerable<TIn> items, Func<TIn, TOut> function, int chunkSize = 1, int? maxChunksInFlight = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        return MapLazily(items, function, chunkSize, Window(chunkSize, maxChunksInFlight), ordered: true, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="function"/> to every item and yields results as their chunks
    /// finish, in completion order (Python's <c>Pool.imap_unordered</c>). The input is read
    /// lazily, as by <see cref="MapOrderedAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, int, int?, CancellationToken)"/>,
    /// which also says what leaving early and cancelling do.
    /// </summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task. Default 1.</param>
    /// <param name="maxChunksInFlight">Chunks submitted ahead of the caller. Default: <see cref="ProcessPoolOptions.WorkerCount"/> × <see cref="ProcessPoolOptions.PipelineDepth"/>, enough to keep every worker's queue full.</param>
    /// <param name="cancellationToken">Cancels the map.</param>
    /// <returns>The results as they come.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="maxChunksInFlight"/> below 1 (thrown at once).</exception>
    public IAsyncEnumerable<TOut> MapUnorderedAsync<TIn, TOut>(IEnumerable<TIn> items, Func<TIn, TOut> function, int chunkSize = 1, int? maxChunksInFlight = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MapUnorderedAsync(items.ToAsyncEnumerable(), function, chunkSize, maxChunksInFlight, cancellationToken);
    }

    /// <summary>Like <see cref="MapUnorderedAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, int, int?, CancellationToken)"/> over an asynchronous input.</summary>
    /// <typeparam name="TIn">The items' type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The inputs; enumerated with <paramref name="cancellationToken"/>.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task. Default 1.</param>
    /// <param name="maxChunksInFlight">Chunks submitted ahead of the caller. Default: <see cref="ProcessPoolOptions.WorkerCount"/> × <see cref="ProcessPoolOptions.PipelineDepth"/>, enough to keep every worker's queue full.</param>
    /// <param name="cancellationToken">Cancels the map.</param>
    /// <returns>The results as they come.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="maxChunksInFlight"/> below 1 (thrown at once).</exception>
    public IAsyncEnumerable<TOut> MapUnorderedAsync<TIn, TOut>(IAsyncEnumerable<TIn> items, Func<TIn, TOut> function, int chunkSize = 1, int? maxChunksInFlight = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        return MapLazily(items, function, chunkSize, Window(chunkSize, maxChunksInFlight), ordered: false, cancellationToken);
    }

    private int Window(int chunkSize, int? maxChunksInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        // Fewer chunks in flight than the workers' queues hold starves them on short tasks:
        // measured with trivial tasks on 2 workers, 4 chunks gave 88 k tasks/s, 8 gave 139 k,
        // 32 (2 x PipelineDepth 16) gave 354 k.
        int window = maxChunksInFlight ?? _options.WorkerCount * _options.PipelineDepth;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window, nameof(maxChunksInFlight));
        return window;
    }

    private async IAsyncEnumerable<TOut> MapLazily<TIn, TOut>(IAsyncEnumerable<TIn> items, Func<TIn, TOut> function, int chunkSize, int window, bool ordered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DelegateTable.Entry entry = RegisterChunk(function, definition: null);
        IPoolSerializer serializer = _options.Serializer;
        var inFlight = new List<(PoolTask Task, Task<TOut[]> Results)>(window);
        IAsyncEnumerator<TIn> input = items.GetAsyncEnumerator(cancellationToken);
        try
        {
            bool more = true;
            while (true)
            {
                while (more && inFlight.Count < window)
                {
                    var chunk = new List<TIn>(chunkSize);
                    while (chunk.Count < chunkSize && (more = await input.MoveNextAsync().ConfigureAwait(false)))
                    {
                        chunk.Add(input.Current);
                    }

                    if (chunk.Count > 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        PoolTask task = EnqueueTask(entry, serializer.Serialize(chunk.ToArray()), cancellationToken);
                        inFlight.Add((task, Decode<TOut[]>(task.Completion.Task)));
                    }
                }

                if (inFlight.Count == 0)
                {
                    yield break;
                }

                int next = 0;
                if (!ordered)
                {
                    Task<TOut[]> first = await Task.WhenAny(inFlight.Select(f => f.Results)).ConfigureAwait(false);
                    next = inFlight.FindIndex(f => f.Results == first);
                }

                Task<TOut[]> done = inFlight[next].Results;
                TOut[] results = await done.ConfigureAwait(false);
                inFlight.RemoveAt(next);
                foreach (TOut result in results)
                {
                    // Results already in are not handed out after cancellation either: the
                    // caller sees the cancellation at its next step, whatever had finished.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return result;
                }
            }
        }
        finally
        {
            // Left early, failed or cancelled: nothing this map submitted stays behind. Chunks not
            // started are dropped; running ones finish (their workers are not killed for a loop
            // that stopped reading), and their outcomes are dropped with them.
            foreach ((PoolTask task, _) in inFlight)
            {
                _dispatcher.Withdraw(task);
            }

            await Task.WhenAll(inFlight.Select(f => (Task)f.Results)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await input.DisposeAsync().ConfigureAwait(false);
        }
    }
}
