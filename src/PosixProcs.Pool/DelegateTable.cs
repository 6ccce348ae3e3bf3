namespace PosixProcs.Pool;

/// <summary>
/// The functions a pool's workers can run, by id. Forked workers inherit the table as it was
/// at their fork: a worker forked before an entry existed must be forked again before it
/// runs that entry, which is how closures created later (and their captured state) reach
/// workers. A delegate registered again (a cached static lambda) keeps its id.
/// </summary>
internal sealed class DelegateTable
{
    private readonly Dictionary<Delegate, int> _ids = [];
    private readonly List<Func<byte[], byte[]>> _invokers = [];

    /// <summary>Held while registering and while forking, so a child never copies a half-updated table.</summary>
    public Lock Gate { get; } = new();

    /// <summary>How many entries exist (a worker forked now knows ids below this).</summary>
    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _invokers.Count;
            }
        }
    }

    public int Register(Delegate key, Func<byte[], byte[]> invoker)
    {
        lock (Gate)
        {
            if (_ids.TryGetValue(key, out int id))
            {
                return id;
            }

            id = _invokers.Count;
            _invokers.Add(invoker);
            _ids.Add(key, id);
            return id;
        }
    }

    /// <summary>Worker side: the invoker for <paramref name="id"/>, read without the lock (the worker has one thread).</summary>
    public Func<byte[], byte[]> Get(int id) => _invokers[id];
}
