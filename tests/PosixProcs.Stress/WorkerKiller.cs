using System.Globalization;

namespace PosixProcs.Stress;

/// <summary>
/// The killer of case (a), a process of its own so that the pool's process stays as quiet as
/// a forking process must be: <c>killer HOSTPID INTERVAL_MS</c> SIGKILLs a random worker of
/// HOSTPID (any descendant but the fork server and itself) every INTERVAL_MS, until its
/// standard input closes; then prints its counts.
/// </summary>
internal static class WorkerKiller
{
    /// <summary>Printed once the killer runs: the case submits its tasks only then.</summary>
    public const string ReadyLine = "killing";

    public static int Run(string[] args)
    {
        int host = int.Parse(args[0], CultureInfo.InvariantCulture);
        var interval = TimeSpan.FromMilliseconds(int.Parse(args[1], CultureInfo.InvariantCulture));
        int self = Environment.ProcessId;
        var random = new Random(host);
        long workerKills = 0, rounds = 0, emptyRounds = 0;
        Console.WriteLine(ReadyLine);
        Console.Out.Flush();
        while (!StopSignal.WaitOrStop(interval))
        {
            rounds++;
            IReadOnlyList<ProcessEntry> family = ProcFs.DescendantsByChildLists(host);
            ProcessEntry? server = family.FirstOrDefault(p => p.ParentPid == host && IsForkServer(p));
            List<ProcessEntry> workers = family.Where(p => !p.IsZombie && p.Pid != self && p.Pid != server?.Pid).ToList();
            if (workers.Count == 0)
            {
                emptyRounds++;
                continue;
            }

            if (TryKill(workers[random.Next(workers.Count)].Pid))
            {
                workerKills++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workerKills={workerKills} rounds={rounds} emptyRounds={emptyRounds}"));
        return 0;
    }

    /// <summary>The fork server is the worker host started with the "server" verb.</summary>
    public static bool IsForkServer(ProcessEntry process) =>
        process.CommandLine.Count >= 3
        && process.CommandLine[1].EndsWith("PosixProcs.Pool.Worker.dll", StringComparison.Ordinal)
        && process.CommandLine[2] == "server";

    private static bool TryKill(int pid)
    {
        try
        {
            Posix.Kill(new Pid(pid), Signal.SIGKILL);
            return true;
        }
        catch (PosixException)
        {
            return false; // it ended between the look and the kill
        }
    }
}
