using System.Reflection;

namespace PosixProcs.PosixTests;

public class PublicApiTests
{
    /// <summary>
    /// The public API exposes only PosixProcs' and the BCL's types: a Mono.Posix type there
    /// would tie every caller to libMonoPosixHelper, which has no build for macOS on Apple silicon.
    /// </summary>
    [Fact]
    public void PublicApi_PosixAssembly_ExposesNoMonoPosixType()
    {
        Assembly assembly = typeof(Posix).Assembly;
        var foreign = new List<string>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                IEnumerable<Type> used = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    EventInfo e => [e.EventHandlerType!],
                    _ => [],
                };
                foreign.AddRange(used.Where(t => (t.Namespace ?? string.Empty).StartsWith("Mono", StringComparison.Ordinal))
                    .Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }
        }

        Assert.Empty(foreign);
    }
}
