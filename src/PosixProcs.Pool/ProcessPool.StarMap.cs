using System.Runtime.CompilerServices;

namespace PosixProcs.Pool;

/// <summary>
/// Maps whose items are argument tuples, unpacked into the function's parameters (Python's
/// <c>Pool.starmap</c>). The tuple crosses to the worker as a record struct of its parts,
/// which every serializer handles.
/// </summary>
public sealed partial class ProcessPool
{
    private static readonly ConditionalWeakTable<Delegate, Delegate> TupleAdapters = new();

    /// <summary>Like <see cref="MapAsync{TIn, TOut}"/> over one-argument tuples (starmap with 1-tuples: the same as a map).</summary>
    /// <typeparam name="T1">The argument's type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The arguments.</param>
    /// <param name="function">The work for one item.</param>
    /// <param name="chunkSize">Items per task; default as <see cref="MapAsync{TIn, TOut}"/>.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    public Task<IReadOnlyList<TOut>> StarMapAsync<T1, TOut>(IEnumerable<ValueTuple<T1>> items, Func<T1, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MapAsync(items.Select(item => item.Item1), function, chunkSize, cancellationToken);
    }

    /// <summary>Like <see cref="MapAsync{TIn, TOut}"/> with two arguments per item (starmap).</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The argument pairs.</param>
    /// <param name="function">The work for one pair.</param>
    /// <param name="chunkSize">Items per task.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    public Task<IReadOnlyList<TOut>> StarMapAsync<T1, T2, TOut>(IEnumerable<(T1, T2)> items, Func<T1, T2, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        IPoolSerializer serializer = _options.Serializer;
        return MapTuples(
            items.Select(item => new Pair<T1, T2>(item.Item1, item.Item2)),
            Adapter(function, f => new Func<Pair<T1, T2>, TOut>(p => f(p.First, p.Second))),
            id => FunctionDefinition.Create(id, FunctionKind.PairChunk, function, serializer, typeof(T1), typeof(T2), typeof(TOut)),
            chunkSize,
            cancellationToken);
    }

    /// <summary>Like <see cref="MapAsync{TIn, TOut}"/> with three arguments per item (starmap).</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The argument triples.</param>
    /// <param name="function">The work for one triple.</param>
    /// <param name="chunkSize">Items per task.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    public Task<IReadOnlyList<TOut>> StarMapAsync<T1, T2, T3, TOut>(IEnumerable<(T1, T2, T3)> items, Func<T1, T2, T3, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        IPoolSerializer serializer = _options.Serializer;
        return MapTuples(
            items.Select(item => new Triple<T1, T2, T3>(item.Item1, item.Item2, item.Item3)),
            Adapter(function, f => new Func<Triple<T1, T2, T3>, TOut>(t => f(t.First, t.Second, t.Third))),
            id => FunctionDefinition.Create(id, FunctionKind.TripleChunk, function, serializer, typeof(T1), typeof(T2), typeof(T3), typeof(TOut)),
            chunkSize,
            cancellationToken);
    }

    /// <summary>Like <see cref="MapAsync{TIn, TOut}"/> with four arguments per item (starmap).</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <typeparam name="TOut">The results' type.</typeparam>
    /// <param name="items">The argument quadruples.</param>
    /// <param name="function">The work for one quadruple.</param>
    /// <param name="chunkSize">Items per task.</param>
    /// <param name="cancellationToken">Cancels every chunk not finished.</param>
    /// <returns>The results, in order.</returns>
    public Task<IReadOnlyList<TOut>> StarMapAsync<T1, T2, T3, T4, TOut>(IEnumerable<(T1, T2, T3, T4)> items, Func<T1, T2, T3, T4, TOut> function, int? chunkSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(function);
        IPoolSerializer serializer = _options.Serializer;
        return MapTuples(
            items.Select(item => new Quad<T1, T2, T3, T4>(item.Item1, item.Item2, item.Item3, item.Item4)),
            Adapter(function, f => new Func<Quad<T1, T2, T3, T4>, TOut>(q => f(q.First, q.Second, q.Third, q.Fourth))),
            id => FunctionDefinition.Create(id, FunctionKind.QuadChunk, function, serializer, typeof(T1), typeof(T2), typeof(T3), typeof(T4), typeof(TOut)),
            chunkSize,
            cancellationToken);
    }

    /// <summary>The same adapter for the same function, so a starmap does not re-fork workers each call.</summary>
    private static Func<TTuple, TOut> Adapter<TFunction, TTuple, TOut>(TFunction function, Func<TFunction, Func<TTuple, TOut>> adapt)
        where TFunction : Delegate =>
        (Func<TTuple, TOut>)TupleAdapters.GetValue(function, f => adapt((TFunction)f));

    private async Task<IReadOnlyList<TOut>> MapTuples<TTuple, TOut>(IEnumerable<TTuple> items, Func<TTuple, TOut> adapter, Func<int, FunctionDefinition> definition, int? chunkSize, CancellationToken cancellationToken)
    {
        List<Task<TOut[]>> chunks = SubmitChunks(items, adapter, chunkSize, definition, cancellationToken);
        TOut[][] results = await Task.WhenAll(chunks).ConfigureAwait(false);
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>Two arguments of a starmap item, as a type every serializer handles.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="First">The first argument.</param>
    /// <param name="Second">The second argument.</param>
    internal readonly record struct Pair<T1, T2>(T1 First, T2 Second);

    /// <summary>Three arguments of a starmap item.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <param name="First">The first argument.</param>
    /// <param name="Second">The second argument.</param>
    /// <param name="Third">The third argument.</param>
    internal readonly record struct Triple<T1, T2, T3>(T1 First, T2 Second, T3 Third);

    /// <summary>Four arguments of a starmap item.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="T3">The third argument's type.</typeparam>
    /// <typeparam name="T4">The fourth argument's type.</typeparam>
    /// <param name="First">The first argument.</param>
    /// <param name="Second">The second argument.</param>
    /// <param name="Third">The third argument.</param>
    /// <param name="Fourth">The fourth argument.</param>
    internal readonly record struct Quad<T1, T2, T3, T4>(T1 First, T2 Second, T3 Third, T4 Fourth);
}
