using System.Reflection;
using System.Runtime.CompilerServices;

namespace PosixProcs.Pool;

/// <summary>
/// Compiles the worker's code paths once, in the process that forks workers (the pool's
/// process under Fork, the server under ForkServer). With tiered compilation off, which
/// fork needs, each method is compiled fully on first use; done before forking, every
/// worker inherits the compiled code instead of compiling it again against its first task's
/// time limit. This is what makes a forked worker cost a fork and not a start-up.
/// </summary>
internal static class WorkerWarmUp
{
    private static int _done;

    public static void Prepare()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        Type[] anchors = [typeof(WorkerLoop), typeof(SharedMemory.RingBuffer), typeof(ChildProcess), typeof(Posix)];
        foreach (Type type in anchors.Select(a => a.Assembly).Distinct().SelectMany(SafeTypes))
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (MethodInfo method in type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && method.GetMethodBody() is not null)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }
    }

    private static Type[] SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.Where(t => t is not null).ToArray()!;
        }
    }
}
