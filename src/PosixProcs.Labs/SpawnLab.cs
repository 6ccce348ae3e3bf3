using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PosixProcs.Labs;

/// <summary>
/// Starting programs: Posix.Spawn (fork+exec in C) against a hand-written fork + exec. Spawn
/// reports an exec failure with its errno, where the manual path only sees exit code 127; and
/// spawn passes exactly the descriptors it is given, where fork+exec passes every descriptor
/// that lacks close-on-exec.
/// </summary>
public sealed partial class SpawnLab : Lab
{
    private const int Repeats = 15;

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override string Name => "spawn";

    /// <inheritdoc/>
    public override string Title => "spawn: fork+exec done right";

    /// <inheritdoc/>
    public override string Claim => "Posix.Spawn reports a failed exec with its errno (ENOENT, EACCES) where a hand-written fork+exec only sees exit code 127, and the spawned program gets exactly the descriptors it was given, where fork+exec leaks every descriptor without close-on-exec.";

    /// <inheritdoc/>
    public override string Summary => "spawn vs fork+exec: cost, exec errors with errno instead of 127, descriptors leaked without CLOEXEC";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Spawn /bin/sh -c 'exec 3>&-; ls -l /proc/self/fd' with one extra mapping: what does fd 3 point to?",
        "Give a spawned child a ResourceLimit (RLIMIT_CPU 1 s) and run a busy loop: which signal ends it?",
        "Read native/pp_spawn.c: how does the child report the errno of a failed execve through a CLOEXEC pipe?",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        Costs(children, recorder, out double spawnMs, out double forkExecMs);
        ExecErrors(children, recorder, out string enoent, out string manual);
        Leaks(children, recorder, out int leakedManual, out int leakedSpawn);
        string errno = enoent.Contains("ENOENT", StringComparison.Ordinal) ? "execve: ENOENT" : enoent;
        recorder.Evidence = $"missing program: spawn threw {errno}, fork+exec saw only \"{manual}\"; leaked pipe in the child: fork+exec {leakedManual}, spawn {leakedSpawn}; spawn {spawnMs:0.#} ms vs fork+exec {forkExecMs:0.#} ms";
    }

    private static void Costs(Children children, LabRecorder recorder, out double spawnMs, out double forkExecMs)
    {
        recorder.Step($"1. Start /bin/true {Repeats} times each way and wait for it: Posix.Spawn (clone+exec in C, no managed code in the child) and Posix.Fork + Posix.Exec (the guard, a copy of the page tables, managed code until exec).");
        var spawnTimes = new List<double>();
        var forkTimes = new List<double>();
        bool allZero = true;
        for (int i = 0; i < Repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Pid pid = Posix.Spawn(new SpawnRequest("/bin/true", ["true"]));
            children.Adopt(pid);
            allZero &= children.Wait(pid, Limit).IsSuccess;
            spawnTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

            start = Stopwatch.GetTimestamp();
            pid = children.Fork(() => ExecOr127("/bin/true", ["true"]));
            allZero &= children.Wait(pid, Limit).IsSuccess;
            forkTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        spawnMs = recorder.Measure("spawnMilliseconds", Median(spawnTimes), "ms", "Posix.Spawn + waitpid, median");
        forkExecMs = recorder.Measure("forkExecMilliseconds", Median(forkTimes), "ms", "Posix.Fork + Posix.Exec + waitpid, median");
        recorder.Check("bothRan", $"all {2 * Repeats} runs of /bin/true exited with 0", allZero);
    }

    private static void ExecErrors(Children children, LabRecorder recorder, out string enoent, out string manual)
    {
        recorder.Step("2. A program that does not exist, and a file that is not executable:");
        enoent = SpawnError("/no/such/program");
        string notExecutable = Path.GetTempFileName();
        string eacces;
        try
        {
            eacces = SpawnError(notExecutable);
        }
        finally
        {
            File.Delete(notExecutable);
        }

        Pid pid = children.Fork(() => ExecOr127("/no/such/program", ["program"]));
        manual = children.Wait(pid, Limit).ToString()!;
        recorder.Measure("spawnMissingProgram", enoent, "Posix.Spawn of /no/such/program threw");
        recorder.Measure("spawnNotExecutable", eacces, "Posix.Spawn of a plain file threw");
        recorder.Measure("forkExecMissingProgram", manual, "fork+exec of /no/such/program: what the parent learns");
        recorder.Check("spawnReportsENOENT", $"spawn said: {enoent}", enoent.Contains("execve: ENOENT", StringComparison.Ordinal));
        recorder.Check("spawnReportsEACCES", $"spawn said: {eacces}", eacces.Contains("execve: EACCES", StringComparison.Ordinal));
        recorder.Check("manualOnlySees127", $"the manual path's parent only saw \"{manual}\"", manual == new WaitStatus.Exited(127).ToString());
    }

    private static void Leaks(Children children, LabRecorder recorder, out int leakedManual, out int leakedSpawn)
    {
        using PipeEnds secret = Posix.Pipe();
        secret.Write.CloseOnExec = false; // what every descriptor opened without O_CLOEXEC looks like
        string target = ProcFiles.DescriptorTarget(secret.Write);
        recorder.Step($"3. Descriptor leaks: the lab holds fd {secret.Write.Number} ({target}) WITHOUT close-on-exec; a child lists /proc/self/fd with `ls -l`.");

        IReadOnlyList<(int Fd, string Target)> manualFds = ListDescriptors(children, recorder, spawn: false);
        IReadOnlyList<(int Fd, string Target)> spawnFds = ListDescriptors(children, recorder, spawn: true);
        leakedManual = manualFds.Count(e => e.Target == target);
        leakedSpawn = spawnFds.Count(e => e.Target == target);
        recorder.Measure("forkExecDescriptors", string.Join(" ", manualFds.Select(e => $"{e.Fd}→{e.Target}")), "fork+exec child's descriptors");
        recorder.Measure("spawnDescriptors", string.Join(" ", spawnFds.Select(e => $"{e.Fd}→{e.Target}")), "spawned child's descriptors");
        recorder.Check("forkExecLeaks", $"the fork+exec child holds the lab's pipe {target} ({leakedManual} descriptor)", leakedManual == 1);
        int[] spawnNumbers = spawnFds.Select(e => e.Fd).Where(fd => fd > 2).ToArray();
        recorder.Check("spawnPassesOnlyMapped", $"the spawned child does not ({leakedSpawn}); beyond 0-2 it holds only ls's own directory ({string.Join(",", spawnNumbers)})", leakedSpawn == 0 && spawnFds.Where(e => e.Fd > 2).All(e => e.Target.StartsWith("/proc/", StringComparison.Ordinal)));
    }

    private static List<(int Fd, string Target)> ListDescriptors(Children children, LabRecorder recorder, bool spawn)
    {
        using PipeEnds output = Posix.Pipe();
        string[] argv = ["ls", "-l", "/proc/self/fd"];
        Pid pid;
        if (spawn)
        {
            using var stdin = new FileDescriptorHandle(0, ownsHandle: false);
            using var stderr = new FileDescriptorHandle(2, ownsHandle: false);
            pid = Posix.Spawn(new SpawnRequest("/bin/ls", argv)
            {
                Descriptors = [new DescriptorMapping(0, stdin), new DescriptorMapping(1, output.Write), new DescriptorMapping(2, stderr)],
            });
            children.Adopt(pid);
        }
        else
        {
            pid = children.Fork(() =>
            {
                using FileDescriptorHandle stdout = Posix.Dup2(output.Write, 1);
                return ExecOr127("/bin/ls", argv);
            });
        }

        output.Write.Dispose();
        ReadOutcome listing = LabIo.ReadToEnd(output.Read, Limit);
        WaitStatus status = children.Wait(pid, Limit);
        if (!status.IsSuccess || !listing.EndOfFile)
        {
            throw new InvalidOperationException($"ls -l /proc/self/fd {status}, end of file: {listing.EndOfFile}");
        }

        var entries = new List<(int Fd, string Target)>();
        foreach (Match match in FdLine().Matches(listing.Text))
        {
            entries.Add((int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value.Trim()));
        }

        recorder.Step($"   {(spawn ? "Posix.Spawn" : "fork+exec")}: {entries.Count} descriptors.");
        entries.Sort((a, b) => a.Fd.CompareTo(b.Fd));
        return entries;
    }

    private static string SpawnError(string program)
    {
        try
        {
            Pid pid = Posix.Spawn(new SpawnRequest(program, ["program"]));
            Posix.Kill(pid, Signal.SIGKILL);
            Posix.WaitPid(pid);
            return "no error: it started";
        }
        catch (SpawnException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The manual child's side: exec, and on failure the conventional 127 (the errno dies with the child).</summary>
    private static int ExecOr127(string path, string[] argv)
    {
        try
        {
            Posix.Exec(path, argv);
        }
        catch (PosixException ex) when (ex.Errno is PosixErrno.ENOENT or PosixErrno.EACCES or PosixErrno.ENOEXEC)
        {
            return 127;
        }

        return 126;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    [GeneratedRegex(@"\s(\d+) -> (.+)$", RegexOptions.Multiline)]
    private static partial Regex FdLine();
}
