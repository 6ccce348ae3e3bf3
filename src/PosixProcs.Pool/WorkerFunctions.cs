using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace PosixProcs.Pool;

/// <summary>
/// A spawned worker's functions, defined by message: each <see cref="FunctionDefinition"/>
/// becomes an invoker (bytes in, bytes out) built once by reflection.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Workers load the user's assembly by path; trimming does not apply to it.")]
[UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Types named by the pool's own definitions.")]
[UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "Generic helpers instantiated over the user's types.")]
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The lambda singleton field is looked up on the method's own type.")]
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Workers run on the JIT.")]
internal sealed class WorkerFunctions
{
    private static readonly MethodInfo[] Builders = typeof(WorkerFunctions).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
        .Where(m => m.Name.StartsWith("Build", StringComparison.Ordinal)).ToArray();

    private readonly Dictionary<int, Func<byte[], byte[]>> _invokers = [];

    static WorkerFunctions() => AssemblyLoadContext.Default.Resolving += ResolveNextToLoadedAssemblies;

    public Func<byte[], byte[]> Get(int id) =>
        _invokers.TryGetValue(id, out Func<byte[], byte[]>? invoker) ? invoker : throw new InvalidOperationException($"Function {id} was never defined to this worker.");

    /// <summary>Defines a function; an <see cref="FunctionKind.Initializer"/> runs at once.</summary>
    public void Define(FunctionDefinition definition)
    {
        Assembly assembly = Load(definition.AssemblyPath);
        MethodBase method = assembly.ManifestModule.ResolveMethod(definition.MetadataToken)
            ?? throw new InvalidOperationException($"No method with token 0x{definition.MetadataToken:x8} in {definition.AssemblyPath}.");
        object? target = definition.OnLambdaSingleton
            ? method.DeclaringType!.GetField(FunctionDefinition.LambdaSingletonField, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!.GetValue(null)
            : null;
        var serializer = (IPoolSerializer)Activator.CreateInstance(Type.GetType(definition.SerializerType, throwOnError: true)!)!;
        Type[] types = definition.TypeArguments.Select(t => Type.GetType(t, throwOnError: true)!).ToArray();
        if (definition.Kind == FunctionKind.Initializer)
        {
            object?[] arguments = types.Length == 0
                ? []
                : (object?[])Unpackers.Single(u => u.GetGenericArguments().Length == types.Length).MakeGenericMethod(types)
                    .Invoke(null, [serializer, definition.InitializerArguments ?? []])!;
            Invoke(method, target, arguments);
            return;
        }

        MethodInfo builder = Builders.Single(b => b.Name == "Build" + definition.Kind).MakeGenericMethod(types);
        _invokers[definition.Id] = (Func<byte[], byte[]>)builder.Invoke(null, [method, target, serializer])!;
    }

    private static readonly MethodInfo[] Unpackers = typeof(WorkerFunctions).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
        .Where(m => m.Name == nameof(UnpackArguments)).ToArray();

    /// <summary>An initializer's one argument, as the pool serialized it (see <see cref="WorkerInitializer"/>).</summary>
    private static object?[] UnpackArguments<T1>(IPoolSerializer serializer, byte[] bytes) => [serializer.Deserialize<T1>(bytes)];

    /// <summary>An initializer's two arguments, serialized as one pair.</summary>
    private static object?[] UnpackArguments<T1, T2>(IPoolSerializer serializer, byte[] bytes)
    {
        ProcessPool.Pair<T1, T2> pair = serializer.Deserialize<ProcessPool.Pair<T1, T2>>(bytes);
        return [pair.First, pair.Second];
    }

    private static object? Invoke(MethodBase method, object? target, object?[] args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    private static Func<byte[], byte[]> BuildNullary<TResult>(MethodBase method, object? target, IPoolSerializer serializer) =>
        _ => serializer.Serialize((TResult)Invoke(method, target, [])!);

    private static Func<byte[], byte[]> BuildUnary<TArg, TResult>(MethodBase method, object? target, IPoolSerializer serializer) =>
        bytes => serializer.Serialize((TResult)Invoke(method, target, [serializer.Deserialize<TArg>(bytes)])!);

    private static Func<byte[], byte[]> BuildChunk<TIn, TOut>(MethodBase method, object? target, IPoolSerializer serializer)
    {
        var function = ((MethodInfo)method).CreateDelegate<Func<TIn, TOut>>(target);
        return bytes => serializer.Serialize(Array.ConvertAll(serializer.Deserialize<TIn[]>(bytes), x => function(x)));
    }

    private static Func<byte[], byte[]> BuildPairChunk<T1, T2, TOut>(MethodBase method, object? target, IPoolSerializer serializer)
    {
        var function = ((MethodInfo)method).CreateDelegate<Func<T1, T2, TOut>>(target);
        return bytes => serializer.Serialize(Array.ConvertAll(serializer.Deserialize<ProcessPool.Pair<T1, T2>[]>(bytes), p => function(p.First, p.Second)));
    }

    private static Func<byte[], byte[]> BuildTripleChunk<T1, T2, T3, TOut>(MethodBase method, object? target, IPoolSerializer serializer)
    {
        var function = ((MethodInfo)method).CreateDelegate<Func<T1, T2, T3, TOut>>(target);
        return bytes => serializer.Serialize(Array.ConvertAll(serializer.Deserialize<ProcessPool.Triple<T1, T2, T3>[]>(bytes), t => function(t.First, t.Second, t.Third)));
    }

    private static Func<byte[], byte[]> BuildQuadChunk<T1, T2, T3, T4, TOut>(MethodBase method, object? target, IPoolSerializer serializer)
    {
        var function = ((MethodInfo)method).CreateDelegate<Func<T1, T2, T3, T4, TOut>>(target);
        return bytes => serializer.Serialize(Array.ConvertAll(serializer.Deserialize<ProcessPool.Quad<T1, T2, T3, T4>[]>(bytes), q => function(q.First, q.Second, q.Third, q.Fourth)));
    }

    private static Assembly Load(string path)
    {
        string full = Path.GetFullPath(path);
        Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, full, StringComparison.Ordinal));
        return loaded ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
    }

    /// <summary>The user's assembly brings its dependencies: look for them next to the assemblies already loaded by path.</summary>
    private static Assembly? ResolveNextToLoadedAssemblies(AssemblyLoadContext context, AssemblyName name)
    {
        foreach (string directory in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0)
                     .Select(a => Path.GetDirectoryName(a.Location)!).Distinct())
        {
            string candidate = Path.Combine(directory, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                return context.LoadFromAssemblyPath(candidate);
            }
        }

        return null;
    }
}
