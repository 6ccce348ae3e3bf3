using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// The wait seeds: exit codes and signals as waitpid reports them, WNOHANG polling, a zombie
/// visible as state Z until it is reaped, and an orphan re-parented to init or to a subreaper.
/// </summary>
public sealed class WaitLab : Lab
{
    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>How long an orphan watches for its new parent; well within <see cref="Limit"/>, which its report must beat.</summary>
    private static readonly TimeSpan OrphanPatience = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public override string Name => "wait";

    /// <inheritdoc/>
    public override string Title => "wait: exit codes, signals, zombies and orphans";

    /// <inheritdoc/>
    public override string Claim => "waitpid reports how a child ended (its exit code or the signal), a child that has ended stays a zombie (state Z) until its parent waits for it, and an orphan is re-parented to the nearest subreaper.";

    /// <inheritdoc/>
    public override string Summary => "exit codes and signals via waitpid, WNOHANG polling, a zombie in state Z, an orphan adopted by a subreaper";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Run `ps -o pid,ppid,stat,cmd --ppid PID` while a zombie waits to be reaped.",
        "Send SIGSTOP and SIGCONT to a child and wait with WaitOptions.Untraced | WaitOptions.Continued.",
        "Run the lab under `unshare --pid --fork --mount-proc` (root): who is init there, and who reaps orphans?",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        ExitCodesAndSignals(children, recorder, out string summary);
        Polling(children, recorder, out long polls);
        Zombie(children, recorder, out char? zombieState, out char? afterReap);
        Orphans(children, recorder, out long adoptedBy);
        recorder.Evidence = $"{summary}; {polls} WNOHANG polls; zombie state {zombieState} → {(afterReap is null ? "gone" : afterReap.ToString())} after reap; orphan adopted by {adoptedBy} (the lab)";
    }

    private static void ExitCodesAndSignals(Children children, LabRecorder recorder, out string summary)
    {
        recorder.Step("1. Children that exit with 0, 3 and 42, and children killed by SIGTERM and SIGKILL:");
        var seen = new List<string>();
        bool allRight = true;
        foreach (int code in new[] { 0, 3, 42 })
        {
            Pid pid = children.Fork(() => code);
            WaitStatus status = children.Wait(pid, Limit);
            recorder.Measure($"exit{code}", status.ToString()!, $"a child that returns {code}");
            allRight &= status is WaitStatus.Exited { Code: var c } && c == code;
            seen.Add(status is WaitStatus.Exited e ? e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture) : status.ToString()!);
        }

        foreach (Signal signal in new[] { Signal.SIGTERM, Signal.SIGKILL })
        {
            using PipeEnds ready = Posix.Pipe();
            Pid pid = children.Fork(() =>
            {
                ready.Write.Dispose();
                Thread.Sleep(Timeout.Infinite);
                return 0;
            });
            ready.Write.Dispose();
            LabIo.ReadToEnd(ready.Read, Limit); // end of file: the child is past fork's set-up
            Posix.Kill(pid, signal);
            WaitStatus status = children.Wait(pid, Limit);
            recorder.Measure($"killedBy{signal.Name}", status.ToString()!, $"a sleeping child sent {signal.Name}");
            allRight &= status is WaitStatus.Signaled { Signal: var s } && s == signal;
            seen.Add(signal.Name);
        }

        recorder.Check("statusesDecoded", $"waitpid reported each exit code and each signal as sent ({string.Join(", ", seen)})", allRight);
        summary = "exits " + string.Join("/", seen);
    }

    private static void Polling(Children children, LabRecorder recorder, out long polls)
    {
        recorder.Step("2. WNOHANG: the child waits for the parent's go, then works for 200 ms; the parent polls every 10 ms and does other things meanwhile.");
        using PipeEnds go = Posix.Pipe();
        Pid pid = children.Fork(() =>
        {
            go.Write.Dispose();
            LabIo.ReadToEnd(go.Read, Limit); // end of file: the parent said go
            Thread.Sleep(200);
            return 7;
        });
        go.Read.Dispose();

        // The child cannot end before the go, so this first poll finds it running on any load.
        WaitStatus status = Posix.WaitPid(pid, WaitOptions.NoHang);
        polls = status is WaitStatus.StillRunning ? 1 : 0;
        long start = Stopwatch.GetTimestamp();
        go.Write.Dispose();
        long deadline = LabIo.Deadline(Limit);
        while (status is WaitStatus.StillRunning && (status = Posix.WaitPid(pid, WaitOptions.NoHang)) is WaitStatus.StillRunning && LabIo.Remaining(deadline) > TimeSpan.Zero)
        {
            polls++;
            Thread.Sleep(10);
        }

        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (status is WaitStatus.StillRunning)
        {
            status = children.Wait(pid, TimeSpan.Zero, out _);
        }
        else
        {
            children.Reaped(pid); // the successful poll reaped it
        }

        recorder.Measure("pollsStillRunning", polls, "polls", "WNOHANG polls that found the child still running");
        recorder.Measure("polledStatus", status.ToString()!, "the status the last poll returned");
        recorder.Measure("polledMilliseconds", ms, "ms", "from the go until a poll saw the exit");

        // At least 200 ms: the child's sleep began after the go. A lower bound no load can break.
        recorder.Check("noHangPolls", $"{polls} polls returned \"still running\" at once; then one returned {status}, {ms:0} ms after the go (the child worked 200 ms)", polls >= 1 && status is WaitStatus.Exited { Code: 7 } && ms >= 190);
    }

    private static void Zombie(Children children, LabRecorder recorder, out char? zombieState, out char? afterReap)
    {
        recorder.Step("3. A zombie: the child exits at once; the parent does not wait yet, and reads /proc/PID/stat.");
        Pid pid = children.Fork(() => 0);
        zombieState = null;
        long deadline = LabIo.Deadline(Limit);
        while (LabIo.Remaining(deadline) > TimeSpan.Zero && (zombieState = ProcFiles.State(pid)) != 'Z')
        {
            Thread.Sleep(1);
        }

        bool existsAsZombie = Posix.ProcessExists(pid);
        WaitStatus status = children.Wait(pid, Limit);
        afterReap = ProcFiles.State(pid);
        bool existsAfter = Posix.ProcessExists(pid);
        recorder.Measure("zombieState", zombieState?.ToString() ?? "gone", "state in /proc/PID/stat before waitpid");
        recorder.Measure("zombieExists", existsAsZombie, "kill(pid, 0) finds the zombie");
        recorder.Measure("zombieStatus", status.ToString()!, "what waitpid then returned");
        recorder.Measure("stateAfterReap", afterReap?.ToString() ?? "gone", "state after waitpid");
        recorder.Check("zombieUntilReaped", $"the ended child was in state {zombieState} until waitpid, then {(afterReap is null ? "gone" : afterReap.ToString())}", zombieState == 'Z' && existsAsZombie && afterReap is null && !existsAfter);
    }

    private static void Orphans(Children children, LabRecorder recorder, out long adoptedBy)
    {
        recorder.Step("4. Orphans: a child forks a grandchild and exits; the grandchild watches its ppid change.");
        Pid lab = Pid.Current;
        bool wasSubreaper = Posix.ChildSubreaper;
        try
        {
            Posix.ChildSubreaper = false;
            Report plain = Orphan(children, out _);
            long before = recorder.Measure("orphanPpidBefore", plain.Number("before"), string.Empty, "without subreaper: the grandchild's ppid while its parent lives");
            long after = recorder.Measure("orphanPpidAfter", plain.Number("after"), string.Empty, $"without subreaper: its ppid after its parent exited ({ProcFiles.CommandName(new Pid((int)plain.Number("after")))})");

            recorder.Step($"Now the lab process ({lab}) becomes a subreaper (Posix.ChildSubreaper = true), and the same again:");
            Posix.ChildSubreaper = true;
            Report adopted = Orphan(children, out WaitStatus grandchildStatus);
            adoptedBy = recorder.Measure("subreaperPpidAfter", adopted.Number("after"), string.Empty, "with subreaper: the grandchild's ppid after its parent exited");
            recorder.Measure("labPid", lab.Value, string.Empty, "the lab's pid");
            recorder.Measure("adoptedReaped", grandchildStatus.ToString()!, "the adopted grandchild, reaped by the lab");
            // As PID 1 (a container without an init, unshare --pid) the lab IS init: the orphan
            // comes to it with or without the subreaper switch, and that is the claim holding.
            bool labIsInit = lab.Value == 1;
            recorder.Check(
                "orphanReparented",
                $"without a subreaper the orphan's ppid went from {before} to {after}{(labIsInit ? " (the lab is PID 1 here: init itself)" : string.Empty)}",
                after != before && (after != lab.Value || labIsInit));
            recorder.Check("subreaperAdopts", $"with the lab as subreaper, the orphan's new ppid is {adoptedBy}, the lab's pid ({lab}), and the lab reaped it: {grandchildStatus}", adoptedBy == lab.Value && grandchildStatus.IsSuccess);
        }
        finally
        {
            Posix.ChildSubreaper = wasSubreaper;
        }
    }

    private static Report Orphan(Children children, out WaitStatus grandchildStatus)
    {
        using PipeEnds report = Posix.Pipe();
        Pid lab = Pid.Current;
        Pid middle = children.Fork(() =>
        {
            report.Read.Dispose();
            Pid before = Pid.Current; // the grandchild's parent, until this process exits
            Children.ForkUntracked(() =>
            {
                long deadline = LabIo.Deadline(OrphanPatience);
                while (Pid.Parent == before && LabIo.Remaining(deadline) > TimeSpan.Zero)
                {
                    Thread.Sleep(1);
                }

                LabIo.WriteReport(report.Write, ("pid", Pid.Current), ("before", before), ("after", Pid.Parent));
                return 0;
            });
            return 0; // exits without waiting: the grandchild becomes an orphan
        });
        report.Write.Dispose();
        children.Wait(middle, Limit);
        Report values = LabIo.ReadReport(report.Read, Limit);
        var grandchildPid = new Pid((int)values.Number("pid"));
        if (values.Number("after") == lab.Value)
        {
            children.Adopt(grandchildPid);
            grandchildStatus = children.Wait(grandchildPid, Limit);
        }
        else
        {
            grandchildStatus = WaitStatus.StillRunning.Instance;
        }

        return values;
    }
}
