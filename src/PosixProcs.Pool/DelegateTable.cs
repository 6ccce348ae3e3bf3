namespace PosixProcs.Pool;

/// <summary>
/// The functions a pool's workers can run, by id. Forked workers inherit the table as it was
/// at their fork: a worker forked before an entry existed must be forked again before it
/// runs that entry, which is how closures created later (and their captured state) reach
/// workers. Workers that are not forked get a <see cref="FunctionDefinition"/> by message
/// instead. A delegate registered again (a cached static lambda) keeps its id.
/// </summary>
internal sealed class DelegateTable(bool needsDefinitions)
{
    private readonly Dictionary<Delegate, int> _ids = [];
    private readonly List<Func<byte[], byte[]>> _invokers = [];
    private readonly List<FunctionDefinition?> _definitions = [];

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

    /// <summary>Registers a function; <paramref name="define"/> describes it for workers that are not forked (and refuses closures).</summary>
    /// <exception cref="ArgumentException">Workers are not forked and the function cannot cross to them.</exception>
    public int Register(Delegate key, Func<byte[], byte[]> invoker, Func<int, FunctionDefinition> define)
    {
        lock (Gate)
        {
            if (_ids.TryGetValue(key, out int id))
            {
                return id;
            }

            id = _invokers.Count;
            FunctionDefinition? definition = needsDefinitions ? define(id) : null;
            _invokers.Add(invoker);
            _definitions.Add(definition);
            _ids.Add(key, id);
            return id;
        }
    }

    /// <summary>Worker side: the invoker for <paramref name="id"/>, read without the lock (the worker has one thread).</summary>
    public Func<byte[], byte[]> Get(int id) => _invokers[id];

    /// <summary>The definition to send to a worker that is not forked.</summary>
    public FunctionDefinition GetDefinition(int id)
    {
        lock (Gate)
        {
            return _definitions[id] ?? throw new InvalidOperationException($"Function {id} has no definition: the pool's workers are forked.");
        }
    }
}
