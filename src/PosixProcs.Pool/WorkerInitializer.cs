namespace PosixProcs.Pool;

/// <summary>
/// A worker initializer with arguments (Python's <c>initializer</c> + <c>initargs</c>): runs
/// once in each worker before its first task, on arguments that cross with the pool's
/// serializer. Set it as <see cref="ProcessPoolOptions.InitializerWithArguments"/>.
/// </summary>
/// <remarks>
/// The arguments are serialized when the pool starts (a type that cannot cross fails
/// <see cref="ProcessPool.Start"/> with <see cref="PoolSerializationException"/>) and each
/// worker gets its own copy, whatever the start method: under Fork too, so a worker never
/// shares a mutable argument with the pool's process. With Spawn and ForkServer the function
/// must be a static method or a lambda that captures nothing.
/// </remarks>
public sealed class WorkerInitializer
{
    private readonly Func<IPoolSerializer, byte[]> _serialize;
    private readonly Action<IPoolSerializer, byte[]> _run;

    private WorkerInitializer(Delegate function, Type[] argumentTypes, Func<IPoolSerializer, byte[]> serialize, Action<IPoolSerializer, byte[]> run)
    {
        Function = function;
        ArgumentTypes = argumentTypes;
        _serialize = serialize;
        _run = run;
    }

    /// <summary>The initializer itself (described to workers that are not forked).</summary>
    internal Delegate Function { get; }

    /// <summary>Its parameters' types, in order.</summary>
    internal Type[] ArgumentTypes { get; }

    /// <summary>An initializer of one argument.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="initializer">Runs once in each worker.</param>
    /// <param name="argument">Its argument.</param>
    /// <returns>The initializer, for <see cref="ProcessPoolOptions.InitializerWithArguments"/>.</returns>
    public static WorkerInitializer Create<T>(Action<T> initializer, T argument)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        return new WorkerInitializer(initializer, [typeof(T)],
            serializer => serializer.Serialize(argument),
            (serializer, bytes) => initializer(serializer.Deserialize<T>(bytes)));
    }

    /// <summary>An initializer of two arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="initializer">Runs once in each worker.</param>
    /// <param name="first">Its first argument.</param>
    /// <param name="second">Its second argument.</param>
    /// <returns>The initializer, for <see cref="ProcessPoolOptions.InitializerWithArguments"/>.</returns>
    public static WorkerInitializer Create<T1, T2>(Action<T1, T2> initializer, T1 first, T2 second)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        return new WorkerInitializer(initializer, [typeof(T1), typeof(T2)],
            serializer => serializer.Serialize(new ProcessPool.Pair<T1, T2>(first, second)),
            (serializer, bytes) =>
            {
                ProcessPool.Pair<T1, T2> pair = serializer.Deserialize<ProcessPool.Pair<T1, T2>>(bytes);
                initializer(pair.First, pair.Second);
            });
    }

    /// <summary>The arguments as they cross to the workers.</summary>
    internal byte[] SerializeArguments(IPoolSerializer serializer) => _serialize(serializer);

    /// <summary>For forked workers: deserializes the arguments and runs the initializer (in the child).</summary>
    internal Action Bind(IPoolSerializer serializer, byte[] arguments) => () => _run(serializer, arguments);
}
