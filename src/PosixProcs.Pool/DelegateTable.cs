using System.Runtime.CompilerServices;

namespace PosixProcs.Pool;

/// <summary>
/// The functions a pool's workers can run, by id. Forked workers inherit the table as it was
/// at their fork: a worker forked before an entry existed must be forked again before it
/// runs that entry, which is how closures created later (and their captured state) reach
/// workers. Workers that are not forked get a <see cref="FunctionDefinition"/> by message
/// instead. A delegate registered again (a cached static lambda) keeps its id.
/// </summary>
/// <remarks>
/// The table holds its functions weakly: an entry lives as long as its delegate (a
/// <see cref="ConditionalWeakTable{TKey, TValue}"/>) or a task that needs it
/// (<see cref="PoolTask.Function"/>). A closure submitted once, and everything it captured,
/// is released when its tasks are done, not kept for the pool's lifetime. Ids are never
/// reused, so a forked worker never runs a later function under an earlier one's id; a
/// worker forked while an entry lived keeps its own copy of it.
/// </remarks>
internal sealed class DelegateTable(bool needsDefinitions)
{
    private readonly ConditionalWeakTable<Delegate, Entry> _entries = [];
    private readonly Dictionary<int, WeakReference<Entry>> _byId = [];
    private int _next;
    private int _pruneAt = 64;
    private List<Entry>? _heldForFork;

    /// <summary>Held while registering and while forking, so a child never copies a half-updated table.</summary>
    public Lock Gate { get; } = new();

    /// <summary>How many ids were given (a worker forked now knows ids below this).</summary>
    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _next;
            }
        }
    }

    /// <summary>Registers a function; <paramref name="define"/> describes it for workers that are not forked (and refuses closures).</summary>
    /// <returns>The entry; a task keeps it alive while it needs it.</returns>
    /// <exception cref="ArgumentException">Workers are not forked and the function cannot cross to them.</exception>
    public Entry Register(Delegate key, Func<byte[], byte[]> invoker, Func<int, FunctionDefinition> define)
    {
        lock (Gate)
        {
            if (_entries.TryGetValue(key, out Entry? entry))
            {
                return entry;
            }

            int id = _next;
            entry = new Entry(id, invoker, needsDefinitions ? define(id) : null);
            _next++;
            _entries.Add(key, entry);
            _byId.Add(id, new WeakReference<Entry>(entry));
            if (_byId.Count >= _pruneAt)
            {
                Prune();
            }

            return entry;
        }
    }

    /// <summary>Worker side: the invoker for <paramref name="id"/>, read without the lock (the worker has one thread).</summary>
    /// <exception cref="InvalidOperationException">The function was released before this worker was forked (no task can name it then).</exception>
    public Func<byte[], byte[]> Get(int id) =>
        _byId.TryGetValue(id, out WeakReference<Entry>? weak) && weak.TryGetTarget(out Entry? entry)
            ? entry.Invoker
            : throw new InvalidOperationException($"Function {id} was released before this worker was forked.");

    /// <summary>
    /// Called under <see cref="Gate"/> just before a fork: holds every live entry strongly, so
    /// the child's copy of the table keeps them. In the child only the forking thread exists,
    /// so the stacks that held the delegates in the parent are no roots there, and a weak table
    /// alone would let the child's first collection drop functions it is about to run.
    /// </summary>
    public void HoldForFork() =>
        _heldForFork = _byId.Values.Select(w => w.TryGetTarget(out Entry? e) ? e : null).OfType<Entry>().ToList();

    /// <summary>Called in the parent after the fork: the parent's table is weak again.</summary>
    public void ReleaseAfterFork() => _heldForFork = null;

    /// <summary>Drops the ids of released functions; the threshold doubles with what stays, so pruning costs O(1) per registration.</summary>
    private void Prune()
    {
        foreach ((int id, WeakReference<Entry> weak) in _byId.ToList())
        {
            if (!weak.TryGetTarget(out _))
            {
                _byId.Remove(id);
            }
        }

        _pruneAt = Math.Max(64, _byId.Count * 2);
    }

    /// <summary>One registered function.</summary>
    /// <param name="Id">Its id, the same in every worker.</param>
    /// <param name="Invoker">Bytes in, bytes out: deserializes, calls, serializes.</param>
    /// <param name="Definition">How a worker that is not forked finds it; null under Fork.</param>
    internal sealed record Entry(int Id, Func<byte[], byte[]> Invoker, FunctionDefinition? Definition);
}
