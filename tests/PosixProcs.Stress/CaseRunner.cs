using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PosixProcs.Stress;

/// <summary>
/// The harness side of a case: starts the case process (plain, unprivileged or as PID 1 of
/// a PID namespace), collects its <c>@stress</c> lines, SIGKILLs it with everything it
/// started at the deadline, and then kills and reaps whatever it left behind (the harness
/// is a child subreaper, so orphans come back to it).
/// </summary>
internal static class CaseRunner
{
    private const int UnprivilegedId = 65534;
    private const int TailLines = 30;

    public static CaseOutcome Run(CaseSpec spec, bool quick, string cliPath, TimeSpan deadline)
    {
        var outcome = new CaseOutcome(spec);
        ProcessStartInfo start = StartInfo(spec, quick, cliPath);
        var stdoutTail = new Queue<string>();
        var stderrTail = new Queue<string>();
        object gate = new();
        Stopwatch clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (gate)
            {
                if (e.Data.StartsWith(CaseRecorder.LinePrefix, StringComparison.Ordinal)
                    && TryParse(e.Data[CaseRecorder.LinePrefix.Length..]) is { } line)
                {
                    outcome.Take(line);
                }
                else
                {
                    Keep(stdoutTail, e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    Keep(stderrTail, e.Data);
                }
            }
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool finished = process.WaitForExit(deadline);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        // Leftovers first: a process the case left behind may hold its output open, and the
        // output is only complete once every holder is gone.
        CleanUpLeftovers(outcome);
        DrainOutput(process);
        if (!finished)
        {
            string step = outcome.Metrics.TryGetValue("step", out JsonNode? last) && last is not null ? $" during step \"{last}\"" : string.Empty;
            outcome.HarnessFailures.Add($"did not finish within its deadline of {deadline.TotalSeconds:0} s{step}: killed (a hang)");
            outcome.Ending = $"timeout after {deadline.TotalSeconds:0} s";
        }
        else
        {
            outcome.Ending = Ending(process.ExitCode);
        }

        outcome.Seconds = clock.Elapsed.TotalSeconds;
        lock (gate)
        {
            if (finished && outcome.Verdict is null)
            {
                string step = outcome.Metrics.TryGetValue("step", out JsonNode? last) && last is not null ? $" during step \"{last}\"" : string.Empty;
                outcome.HarnessFailures.Add($"the case process died before its verdict ({outcome.Ending}){step}: a host death");
            }

            outcome.StandardErrorTail.AddRange(stderrTail);
            if (outcome.Verdict is null)
            {
                outcome.StandardErrorTail.AddRange(stdoutTail.Select(l => "stdout: " + l));
            }
        }

        return outcome;
    }

    /// <summary>Waits (bounded) until the output events have delivered everything.</summary>
    private static void DrainOutput(Process process)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // something outside the case's tree still holds its output: what arrived is kept
        }
    }

    private static ProcessStartInfo StartInfo(CaseSpec spec, bool quick, string cliPath)
    {
        string dotnet = Environment.ProcessPath ?? "dotnet";
        string self = typeof(CaseRunner).Assembly.Location;
        var command = new List<string> { dotnet, self, Program.CaseVerb, spec.Name, quick ? "quick" : "full", cliPath };
        if (spec.Launch == CaseLaunch.Unprivileged)
        {
            string id = UnprivilegedId.ToString(CultureInfo.InvariantCulture);
            command.InsertRange(0, ["setpriv", "--reuid", id, "--regid", id, "--clear-groups", "--"]);
        }
        else if (spec.Launch == CaseLaunch.PidNamespace)
        {
            command.InsertRange(0, ["unshare", "--pid", "--fork", "--mount-proc", "--"]);
        }

        if (spec.OpenFilesLimit is int files)
        {
            // As `ulimit -n`: soft and hard. (The runtime raises a soft-only limit to the hard one at start.)
            command.InsertRange(0, ["prlimit", $"--nofile={files}:{files}", "--"]);
        }

        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        if (spec.Launch == CaseLaunch.Unprivileged)
        {
            start.Environment["HOME"] = "/tmp";
            start.Environment["DOTNET_CLI_HOME"] = "/tmp";
        }

        return start;
    }

    /// <summary>Kills and reaps every process the case left behind (they are the harness's children now).</summary>
    private static void CleanUpLeftovers(CaseOutcome outcome)
    {
        int self = Environment.ProcessId;
        var leftovers = new List<ProcessEntry>();
        for (int round = 0; round < 50; round++)
        {
            IReadOnlyList<ProcessEntry> children = ProcFs.Children(self);
            if (children.Count == 0)
            {
                break;
            }

            foreach (ProcessEntry child in children)
            {
                if (!child.IsZombie && leftovers.All(l => l.Pid != child.Pid))
                {
                    leftovers.Add(child);
                }

                TryKill(child.Pid);
                TryReap(child.Pid);
            }

            Thread.Sleep(100);
        }

        outcome.Metrics["harness.leftover_processes"] = leftovers.Count;
        if (leftovers.Count > 0)
        {
            outcome.HarnessFailures.Add($"{leftovers.Count} process(es) still running after the case ended (killed by the harness): {string.Join(" | ", leftovers.Take(5))}");
        }
    }

    private static void TryKill(int pid)
    {
        try
        {
            Posix.Kill(new Pid(pid), Signal.SIGKILL);
        }
        catch (PosixException)
        {
            // already gone
        }
    }

    private static void TryReap(int pid)
    {
        try
        {
            Posix.WaitPid(new Pid(pid), WaitOptions.NoHang);
        }
        catch (PosixException)
        {
            // not ours to reap, or reaped already
        }
    }

    private static string Ending(int exitCode) => exitCode switch
    {
        0 => "exit 0",
        > 128 and < 160 => $"killed by {Signal.FromNumber(exitCode - 128).Name} (exit {exitCode})",
        _ => $"exit {exitCode}",
    };

    private static JsonObject? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Keep(Queue<string> tail, string line)
    {
        tail.Enqueue(line);
        while (tail.Count > TailLines)
        {
            tail.Dequeue();
        }
    }
}
