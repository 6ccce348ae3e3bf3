using System.Text.RegularExpressions;

namespace PosixProcs.Labs;

/// <summary>
/// The bodies of sacrificial processes that labs start through <c>posixprocs lab-helper NAME</c>
/// (a fresh copy of the program, with runtime settings the lab must not use on itself).
/// Each prints <c>key=value</c> lines on stdout.
/// </summary>
public static class LabHelpers
{
    /// <summary>Tries <c>Posix.Fork()</c> with no hazard accepted: in a W^X process the guard refuses.</summary>
    public const string WxGuard = "wx-guard";

    /// <summary>Forks with the W^X hazard accepted; the child and then the parent JIT new code.</summary>
    public const string WxFork = "wx-fork";

    /// <summary>The helpers' names.</summary>
    public static IReadOnlyList<string> Names { get; } = [WxGuard, WxFork];

    /// <summary>Runs a helper.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="ArgumentException">No helper has that name.</exception>
    public static int Run(string name) => name switch
    {
        WxGuard => RunWxGuard(),
        WxFork => RunWxFork(),
        _ => throw new ArgumentException($"no lab helper named {name}", nameof(name)),
    };

    /// <summary>Runs code that needs the JIT: LINQ over new generic instantiations, a compiled regex (Reflection.Emit), string formatting.</summary>
    /// <param name="seed">Varies the work so nothing is constant-folded.</param>
    /// <returns>A number that depends on all of it.</returns>
    public static int JitWorkout(int seed)
    {
        var words = Enumerable.Range(0, 2000).Select(i => ((long)i * seed).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Dictionary<int, int> byLength = words.GroupBy(w => w.Length).ToDictionary(g => g.Key, g => g.Count());
        var regex = new Regex("[0-9]+7[0-9]*", RegexOptions.Compiled);
        int matches = words.Count(w => regex.IsMatch(w));
        var tuples = words.Select(w => (w, w.Length, (decimal)w.Length / 3m)).OrderByDescending(t => t.Item3).Take(5).ToArray();
        return byLength.Count + matches + tuples.Length + string.Join(',', tuples.Select(t => t.w)).Length;
    }

    private static int RunWxGuard()
    {
        Console.WriteLine($"doublemapper={ProcFiles.CountMappings("doublemapper")}");
        Console.WriteLine($"wxActive={ForkSafety.IsWriteXorExecuteActive}");
        try
        {
            ForkResult result = Posix.Fork();
            if (result is ForkResult.Child)
            {
                Posix.Exit(0);
            }

            Console.WriteLine("refused=False");
            if (result is ForkResult.Parent parent)
            {
                using var children = new Children();
                children.Adopt(parent.ChildPid);
                children.Wait(parent.ChildPid, TimeSpan.FromSeconds(20));
            }

            return 1;
        }
        catch (ForkHazardException ex)
        {
            Console.WriteLine("refused=True");
            Console.WriteLine($"hazards={ex.Hazards}");
            Console.WriteLine($"message={ex.Message}");
            return 0;
        }
    }

    private static int RunWxFork()
    {
        Console.WriteLine($"doublemapper={ProcFiles.CountMappings("doublemapper")}");
        using var children = new Children();
        Func<int>[] rounds = [Round<Round1>, Round<Round2>, Round<Round3>, Round<Round4>];
        for (int round = 1; round <= rounds.Length; round++)
        {
            // Posix.Fork directly (not Children.Fork, which compiles the child's body first):
            // the child must JIT code nobody has compiled yet, as naive code would.
            Console.WriteLine($"forking={round}");
            ForkResult result;
            try
            {
                result = Posix.Fork(ForkHazards.WriteXorExecute);
            }
            catch (ForkHazardException ex)
            {
                // Another hazard (e.g. tiered compilation switched on from outside): not this experiment.
                Console.WriteLine($"forkRefused={ex.Message}");
                return 3;
            }

            if (result is not ForkResult.Parent parent)
            {
                Posix.Exit(rounds[round - 1]() > 0 ? 0 : 1);
                return 1;
            }

            Pid child = parent.ChildPid;
            children.Adopt(child);
            Console.WriteLine($"child={child}");
            WaitStatus status = children.Wait(child, TimeSpan.FromSeconds(20));
            Console.WriteLine($"childStatus{round}={status}");

            // The parent now compiles the same new code, into a code heap the child wrote to.
            Console.WriteLine($"parentWork{round}={rounds[round - 1]()}");
        }

        Console.WriteLine("parentSurvived=True");
        return 0;
    }

    /// <summary>Work that needs fresh JIT-ed code for every <typeparamref name="T"/>: generic instantiations over a new value type.</summary>
    private static int Round<T>()
        where T : struct, IRound
    {
        var items = Enumerable.Range(0, 500).Select(i => new T { Value = i }).ToList();
        Dictionary<T, int> index = items.ToDictionary(item => item, item => item.Value % 7);
        return JitWorkout(index.Values.Sum() + items.OrderByDescending(item => item.Value).First().Value);
    }

    private interface IRound
    {
        int Value { get; set; }
    }

    private record struct Round1(int Value) : IRound;

    private record struct Round2(int Value) : IRound;

    private record struct Round3(int Value) : IRound;

    private record struct Round4(int Value) : IRound;
}
