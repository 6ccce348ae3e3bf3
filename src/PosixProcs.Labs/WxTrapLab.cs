using System.Text;

namespace PosixProcs.Labs;

/// <summary>
/// Why naive fork in .NET is dangerous: with W^X on (the runtime's default), JIT-ed code is
/// mapped twice through a shared memfd, so a forked child that JITs writes into the
/// PARENT's code heap and the parent crashes. Shown in sacrificial copies of this program
/// started with <c>DOTNET_EnableWriteXorExecute=1</c>; then the guard that refuses such a fork.
/// </summary>
public sealed class WxTrapLab : Lab
{
    private const int Trials = 3;

    /// <summary>Hang protection only: a fresh copy of the program, four forks and their JIT work, on a machine that may be saturated.</summary>
    private static readonly TimeSpan HelperTimeout = TimeSpan.FromSeconds(120);

    /// <inheritdoc/>
    public override string Name => "wx-trap";

    /// <inheritdoc/>
    public override string Title => "wx-trap: the fork that crashes its parent, and the guard";

    /// <inheritdoc/>
    public override string Claim => "With W^X on (.NET's default) a fork whose child runs managed code breaks: the child or even the PARENT crashes, because both share the double-mapped JIT code heap; Posix.Fork refuses in that configuration and says how to fix it.";

    /// <inheritdoc/>
    public override string Summary => "sacrificial processes with W^X on fork and JIT in the child: child or parent crashes; the guard refuses";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Run `DOTNET_EnableWriteXorExecute=1 posixprocs doctor`: what does the guard report?",
        "grep doublemapper /proc/PID/maps of any .NET 7+ process: the shared memfd behind the trap.",
        "Read the README's third trap (signals forwarded to the parent) and why Posix.Fork resets handlers in C.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        SelfCommand self = context.Self ?? throw new InvalidOperationException("wx-trap needs to start a copy of this program, and its path is unknown");

        recorder.Step("1. This process runs with W^X off (runtimeconfig), so it may fork:");
        recorder.Measure("labWriteXorExecute", ForkSafety.IsWriteXorExecuteActive, "W^X active in the lab process");
        recorder.Measure("labDoubleMappings", ProcFiles.CountMappings("doublemapper"), "mappings", "doublemapper mappings in the lab process");

        recorder.Step($"2. {Trials} sacrificial copies with W^X on fork anyway (the hazard accepted), up to 4 rounds each: the child JITs new generic code, LINQ and a compiled regex; then the parent compiles the same.");
        int forks = 0;
        int childCrashes = 0;
        int parentsHarmed = 0;
        var outcomes = new List<string>();
        for (int trial = 1; trial <= Trials; trial++)
        {
            HelperRun run = RunHelper(self, LabHelpers.WxFork);
            Report report = Report.Parse(run.Output);
            if (report.Has("forkRefused") || !report.Has("forking"))
            {
                throw new InvalidOperationException($"the sacrificial copy did not fork ({Describe(run)}): {(report.Has("forkRefused") ? report.Text("forkRefused") : "it never got to fork")}");
            }

            bool parentSurvived = report.Has("parentSurvived") && run.Status.IsSuccess;
            var childStatuses = new List<string>();
            for (int round = 1; report.Has($"childStatus{round}"); round++)
            {
                childStatuses.Add(report.Text($"childStatus{round}"));
            }

            int crashed = childStatuses.Count(status => status != new WaitStatus.Exited(0).ToString());
            forks += (int)report.Number("forking"); // the last round it started
            childCrashes += crashed;
            parentsHarmed += parentSurvived ? 0 : 1;
            outcomes.Add(parentSurvived ? $"{crashed}/{childStatuses.Count} children crashed" : $"parent {Describe(run)}");
            recorder.Measure($"trial{trial}Parent", Describe(run), $"trial {trial}: the sacrificial parent");
            recorder.Measure($"trial{trial}Children", childStatuses.Count == 0 ? "none reported (the parent failed first)" : string.Join("; ", childStatuses), $"trial {trial}: its children, one per round, as it saw them");
            recorder.Measure($"trial{trial}Orphan", run.Orphan, $"trial {trial}: a child left behind");
        }

        recorder.Measure("forks", forks, "forks", "forks made with W^X on, over all trials");
        recorder.Measure("childCrashes", childCrashes, "children", "children that crashed running managed code");
        recorder.Measure("parentsHarmed", parentsHarmed, $"of {Trials}", "sacrificial parents that crashed or failed");
        int broken = childCrashes + parentsHarmed;
        recorder.Measure("breakages", broken, string.Empty, "crashed children plus crashed parents");
        recorder.Check("trapBreaksFork", $"with W^X on, {broken} breakages in {forks} forks: {string.Join("; ", outcomes)}", broken >= 1);
        recorder.Step("3. Now the same setting without accepting the hazard: a sacrificial copy with DOTNET_EnableWriteXorExecute=1 calls Posix.Fork(): the guard refuses.");
        HelperRun guard = RunHelper(self, LabHelpers.WxGuard);
        Report guardReport = Report.Parse(guard.Output);
        long guardMappings = recorder.Measure("helperDoubleMappings", guardReport.Number("doublemapper"), "mappings", "doublemapper mappings in the W^X process");
        bool refused = recorder.Measure("guardRefused", guardReport.Text("refused") == "True", "Posix.Fork() refused");
        string hazards = recorder.Measure("guardHazards", guardReport.Has("hazards") ? guardReport.Text("hazards") : "none", "hazards named");
        string message = recorder.Measure("guardMessage", guardReport.Has("message") ? guardReport.Text("message") : string.Empty, "the ForkHazardException message");

        recorder.Check("doubleMappedWithWx", $"the W^X process double-maps its code ({guardMappings} doublemapper mappings; the lab process: {ProcFiles.CountMappings("doublemapper")})", guardMappings > 0 && !ForkSafety.IsWriteXorExecuteActive);
        recorder.Check("guardRefuses", $"the guard refused with {hazards} and named the fix", refused && hazards.Contains(nameof(ForkHazards.WriteXorExecute), StringComparison.Ordinal) && message.Contains("EnableWriteXorExecute", StringComparison.Ordinal));
        recorder.Evidence = $"W^X on: {childCrashes} children crashed in {forks} forks, {parentsHarmed}/{Trials} parents crashed; guard refused: {(refused ? "yes" : "no")} ({hazards})";
    }

    private static HelperRun RunHelper(SelfCommand self, string helper)
    {
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string key = (string)entry.Key;
            if (key is not "DOTNET_EnableWriteXorExecute" and not "COMPlus_EnableWriteXorExecute" and not "DOTNET_TieredCompilation" and not "COMPlus_TieredCompilation")
            {
                environment.Add($"{key}={entry.Value}");
            }
        }

        environment.Add("DOTNET_EnableWriteXorExecute=1");
        environment.Add("DOTNET_TieredCompilation=0"); // the one hazard under study is W^X
        using var children = new Children();
        bool wasSubreaper = OperatingSystem.IsLinux() && Posix.ChildSubreaper;
        if (OperatingSystem.IsLinux())
        {
            // The helper's forked child outlives a crashed helper: make it come to us, to be reaped.
            Posix.ChildSubreaper = true;
        }

        try
        {
            using PipeEnds stdout = Posix.Pipe();
            using PipeEnds stderr = Posix.Pipe();
            Pid pid = Posix.Spawn(new SpawnRequest(self.Path, self.Argv("lab-helper", helper))
            {
                Environment = environment,
                Descriptors = [new DescriptorMapping(0, null), new DescriptorMapping(1, stdout.Write), new DescriptorMapping(2, stderr.Write)],
            });
            children.Adopt(pid);
            stdout.Write.Dispose();
            stderr.Write.Dispose();
            WaitStatus status = children.Wait(pid, HelperTimeout);
            ReadOutcome output = LabIo.ReadToEnd(stdout.Read, TimeSpan.FromSeconds(30));
            ReadOutcome errors = LabIo.ReadToEnd(stderr.Read, TimeSpan.FromSeconds(5));
            Report report = Report.Parse(output.Text);
            string orphan = "none";
            foreach (string line in output.Text.Split('\n'))
            {
                if (line.StartsWith("child=", StringComparison.Ordinal))
                {
                    orphan = ReapOrphan(children, new Pid(int.Parse(line["child=".Length..], System.Globalization.CultureInfo.InvariantCulture)));
                }
            }

            // A helper that died between fork and reporting its child leaves an orphan it never named: as
            // subreaper, this process is now its parent, and reaps it.
            foreach (Pid unnamed in ProcFiles.ChildrenOf(Pid.Current))
            {
                orphan = $"unreported, {ReapOrphan(children, unnamed)}";
            }

            if (!report.Has("doublemapper"))
            {
                throw new InvalidOperationException($"the helper {helper} reported nothing ({status}); stderr: {FirstLines(errors.Text)}");
            }

            return new HelperRun(status, output.Text, errors.Text, orphan);
        }
        finally
        {
            if (OperatingSystem.IsLinux())
            {
                Posix.ChildSubreaper = wasSubreaper;
            }
        }
    }

    private static string ReapOrphan(Children children, Pid grandchild)
    {
        if (!Posix.ProcessExists(grandchild))
        {
            return "none left (it had ended and been reaped)";
        }

        if (ProcFiles.ParentOf(grandchild) == Pid.Current)
        {
            children.Adopt(grandchild);
            WaitStatus status = children.Wait(grandchild, TimeSpan.FromSeconds(30), out bool killed);
            return killed ? $"re-parented to the lab, still running: {status}" : $"re-parented to the lab and reaped: {status}";
        }

        return $"still exists, parent {ProcFiles.ParentOf(grandchild)}";
    }

    private static string Describe(HelperRun run)
    {
        string firstError = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
        return run.Status is WaitStatus.Exited { Code: not 0 } && firstError.Length > 0 ? $"{run.Status}: {firstError}" : run.Status.ToString()!;
    }

    private static string FirstLines(string text)
    {
        var lines = new StringBuilder();
        foreach (string line in text.Split('\n').Take(3))
        {
            lines.Append(line).Append(' ');
        }

        return lines.ToString().Trim();
    }

    private sealed record HelperRun(WaitStatus Status, string Output, string Errors, string Orphan);
}
