using System.Reflection;

namespace PosixProcs.Pool;

/// <summary>What a task's function is, for a worker that was not forked from the pool's process.</summary>
internal enum FunctionKind
{
    /// <summary>() → TResult.</summary>
    Nullary,

    /// <summary>TArg → TResult.</summary>
    Unary,

    /// <summary>TIn[] → TOut[], the function applied to each item (a map chunk).</summary>
    Chunk,

    /// <summary>Pair&lt;T1, T2&gt;[] → TOut[], the function applied to each pair (a starmap chunk).</summary>
    PairChunk,

    /// <summary>() → nothing, or (T1[, T2]) → nothing with <see cref="FunctionDefinition.InitializerArguments"/>, run once when the worker starts.</summary>
    Initializer,

    /// <summary>Triple&lt;T1, T2, T3&gt;[] → TOut[] (a starmap chunk of three arguments).</summary>
    TripleChunk,

    /// <summary>Quad&lt;T1, T2, T3, T4&gt;[] → TOut[] (a starmap chunk of four arguments).</summary>
    QuadChunk,
}

/// <summary>
/// A function by reference, so a spawned worker can find it: its assembly's path and its
/// method's metadata token. Static methods and lambdas that capture nothing work (C# keeps
/// the latter on a singleton, the <c>&lt;&gt;c.&lt;&gt;9</c> field, which the worker can read
/// too); a closure that captures state cannot cross and is refused when submitted.
/// </summary>
internal sealed record FunctionDefinition(
    int Id,
    FunctionKind Kind,
    string AssemblyPath,
    int MetadataToken,
    bool OnLambdaSingleton,
    string[] TypeArguments,
    string SerializerType,
    byte[]? InitializerArguments = null)
{
    internal const string LambdaSingletonField = "<>9";

    /// <summary>
    /// Describes <paramref name="function"/>; <paramref name="typeArguments"/> are its kind's type
    /// arguments in order (arguments, then the result if it has one), as the worker's builder
    /// for that kind takes them.
    /// </summary>
    /// <exception cref="ArgumentException">The function cannot cross to a worker that is not forked (a closure, a generic method, a dynamic assembly).</exception>
    public static FunctionDefinition Create(int id, FunctionKind kind, Delegate function, IPoolSerializer serializer, params Type[] typeArguments)
    {
        MethodInfo method = function.Method;
        bool onSingleton = false;
        if (function.Target is { } target)
        {
            FieldInfo? singleton = target.GetType().GetField(LambdaSingletonField, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
            if (singleton?.GetValue(null) != target)
            {
                throw new ArgumentException(
                    $"{method.DeclaringType?.Name}.{method.Name} captures state ({target.GetType().Name}); a worker that is not forked from this " +
                    "process cannot see it. Use a static method or a lambda that captures nothing, pass the state as the argument, " +
                    "or use StartMethod.Fork, where closures work as they are.",
                    nameof(function));
            }

            onSingleton = true;
        }

        if (method.IsGenericMethod || method.DeclaringType is { ContainsGenericParameters: true })
        {
            throw new ArgumentException($"{method.Name} is generic; workers that are not forked need a non-generic method.", nameof(function));
        }

        string assembly = method.Module.Assembly.Location;
        if (string.IsNullOrEmpty(assembly))
        {
            throw new ArgumentException($"{method.Name} lives in an assembly with no file (dynamic or single-file); spawned workers cannot load it.", nameof(function));
        }

        Type serializerType = serializer.GetType();
        if (serializerType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"The serializer {serializerType.Name} needs a public parameterless constructor to be created in spawned workers.", nameof(serializer));
        }

        return new FunctionDefinition(id, kind, assembly, method.MetadataToken, onSingleton,
            typeArguments.Select(a => a.AssemblyQualifiedName!).ToArray(), serializerType.AssemblyQualifiedName!);
    }
}
