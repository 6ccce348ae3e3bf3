using System.Text;
using System.Text.Json;
using PosixProcs.Testing;

namespace PosixProcs.Runner.Tests;

/// <summary>Real processes. One collection, not parallel: some tests count this process's descriptors and children.</summary>
[Collection(RealProcesses.Name)]
public sealed class RunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("posixprocs-runner-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunAsync_ShellWithHostileInput_RunsNoCommandOfItsOwn()
    {
        const string Hostile = "$(touch pwned); rm -rf x";
        File.WriteAllText(Path.Combine(_directory, "x"), "survivor");

        const string Backquoted = "`touch pwned2`'\"";

        Run run = await RunAsync(["cd", _directory, "&&", "echo", "{}", "&&", "echo", "x{}"], [Hostile, Backquoted], new RunnerOptions { UseShell = true, Jobs = 1 });

        Assert.Equal(0, run.Summary.ExitStatus);
        Assert.Equal($"{Hostile}\nx{Hostile}\n{Backquoted}\nx{Backquoted}\n", run.Stdout);
        Assert.False(File.Exists(Path.Combine(_directory, "pwned")));
        Assert.False(File.Exists(Path.Combine(_directory, "pwned2")));
        Assert.True(File.Exists(Path.Combine(_directory, "x")));
    }

    [Fact]
    public async Task RunAsync_NoShell_PassesEachValueAsOneArgument()
    {
        Run run = await RunAsync(["printf", "<%s>\\n", "{}"], ["$(touch pwned); rm -rf x", "a  b", "*"], new RunnerOptions { Jobs = 1 });

        Assert.Equal("<$(touch pwned); rm -rf x>\n<a  b>\n<*>\n", run.Stdout);
    }

    [Fact]
    public async Task RunAsync_ShellQuoting_RoundTripsRandomValuesThroughSh()
    {
        var random = new Random(14);
        const string Alphabet = "ab -_./+'\"$`\\!*?[]{}();&|<>~#%\t\né";
        string[] values = [.. Enumerable.Range(0, 40).Select(_ => new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]))];

        Run run = await RunAsync(["printf", "'%s\\0'", "{}"], values, new RunnerOptions { UseShell = true, KeepOrder = true });

        Assert.Equal(values, run.Stdout.Split('\0')[..^1]);
    }

    [Fact]
    public async Task RunAsync_GroupedOutput_NeverInterleavesTwoJobs()
    {
        const string Script = "i=0; while [ $i -lt 1000 ]; do echo \"$1-$i\"; i=$((i+1)); done";

        Run run = await RunAsync(["sh", "-c", Script, "sh", "{}"], ["a", "b"], new RunnerOptions { Jobs = 2 });

        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, lines.Length);
        string first = lines[0][..1];
        string second = first == "a" ? "b" : "a";
        Assert.Equal([.. Enumerable.Range(0, 1000).Select(i => $"{first}-{i}"), .. Enumerable.Range(0, 1000).Select(i => $"{second}-{i}")], lines);
    }

    [Fact]
    public async Task RunAsync_LineBuffer_KeepsLinesWhole()
    {
        const string Script = "i=0; while [ $i -lt 500 ]; do printf '%s-' \"$1\"; echo \"$i\"; i=$((i+1)); done";

        Run run = await RunAsync(["sh", "-c", Script, "sh", "{}"], ["a", "b"], new RunnerOptions { Jobs = 2, Output = OutputMode.LineBuffer });

        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1000, lines.Length);
        foreach (string value in new[] { "a", "b" })
        {
            Assert.Equal(Enumerable.Range(0, 500).Select(i => $"{value}-{i}"), lines.Where(l => l.StartsWith(value + "-", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task RunAsync_KeepOrder_WritesInInputOrder()
    {
        // The first job sleeps, so the others end before it; the output still follows the input.
        Run run = await RunAsync(["sh", "-c", "sleep $1; echo $1", "sh", "{}"], ["0.3", "0", "0", "0"], new RunnerOptions { Jobs = 4, KeepOrder = true });

        Assert.Equal("0.3\n0\n0\n0\n", run.Stdout);
    }

    [Fact]
    public async Task RunAsync_Timeout_EndsTheJobsWholeProcessGroup()
    {
        Run run = await RunAsync(["sh", "-c", "echo $$; sleep 100 & sleep 100"], ["1"], new RunnerOptions { Timeout = TimeSpan.FromSeconds(0.5) });

        JobResult job = Assert.Single(run.Jobs);
        Assert.True(job.TimedOut);
        Assert.Equal(-1, job.ExitValue);
        Assert.Equal(1, run.Summary.ExitStatus);
        int group = int.Parse(run.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(WaitUntil(() => LiveMembers(group).Count == 0), $"still alive in group {group}: {string.Join(", ", LiveMembers(group))}");
    }

    [Fact]
    public async Task RunAsync_Retries_RunsAFailedJobAgain()
    {
        string counter = Path.Combine(_directory, "count");
        const string Script = "n=$(cat \"$1\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$1\"; [ $n -ge 3 ]";

        Run enough = await RunAsync(["sh", "-c", Script, "sh", "{}"], [counter], new RunnerOptions { Retries = 2 });
        File.Delete(counter);
        Run tooFew = await RunAsync(["sh", "-c", Script, "sh", "{}"], [counter], new RunnerOptions { Retries = 1 });

        Assert.True(Assert.Single(enough.Jobs).Succeeded);
        Assert.Equal(3, enough.Jobs[0].Attempts);
        Assert.Equal(0, enough.Summary.ExitStatus);
        Assert.False(Assert.Single(tooFew.Jobs).Succeeded);
        Assert.Equal(2, tooFew.Jobs[0].Attempts);
        Assert.Equal(1, tooFew.Summary.ExitStatus);
    }

    [Fact]
    public async Task RunAsync_HaltNowOnFirstFailure_StopsWithThatJobsStatus()
    {
        Run run = await RunAsync(["sh", "-c", "exit $1", "sh", "{}"], ["0", "3", "0", "4"], new RunnerOptions { Jobs = 1, Halt = HaltPolicy.Parse("now,fail=1") });

        Assert.Equal(2, run.Summary.Started);
        Assert.Equal(3, run.Summary.ExitStatus);
        Assert.Equal("3", run.Summary.HaltedBy!.Values[0]);
    }

    [Fact]
    public async Task RunAsync_HaltNow_EndsTheRunningJobs()
    {
        // One job fails at once; the other would sleep for 100 s and is ended by the halt.
        Run run = await RunAsync(["sh", "-c", "[ $1 = fail ] && exit 5; sleep 100", "sh", "{}"], ["sleep", "fail"], new RunnerOptions { Jobs = 2, Halt = HaltPolicy.Parse("now,fail=1") });

        Assert.Equal(5, run.Summary.ExitStatus);
        Assert.Equal(Signal.SIGTERM, run.Jobs.Single(j => j.Values[0] == "sleep").Signal);
    }

    [Fact]
    public async Task RunAsync_JobLog_WritesGnuParallelColumns()
    {
        string log = Path.Combine(_directory, "joblog");

        await RunAsync(["sh", "-c", "printf abc; [ $1 = ok ] || kill -KILL $$", "sh", "{}"], ["ok", "killed"], new RunnerOptions { Jobs = 1, JobLogPath = log });

        string[] lines = File.ReadAllLines(log);
        Assert.Equal("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand", lines[0]);
        string[] ok = lines[1].Split('\t');
        string[] killed = lines[2].Split('\t');
        Assert.Equal(9, ok.Length);
        Assert.Equal(["1", ":"], ok[..2]);
        Assert.Matches(@"^\d+\.\d{3}$", ok[2]);
        Assert.Matches(@"^ *\d+\.\d{3}$", ok[3]);
        Assert.Equal(10, ok[3].Length);
        Assert.Equal(["0", "3", "0", "0"], ok[4..8]);
        Assert.Equal("sh -c 'printf abc; [ $1 = ok ] || kill -KILL $$' sh ok", ok[8]);
        Assert.Equal(["2", ":"], killed[..2]);
        Assert.Equal(["0", "3", "0", Signal.SIGKILL.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)], killed[4..8]);
    }

    [Fact]
    public async Task RunAsync_JobLogOfConcurrentJobs_HasOneWholeLinePerJob()
    {
        string log = Path.Combine(_directory, "joblog");

        await RunAsync(["true"], [.. Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], new RunnerOptions { Jobs = 4, JobLogPath = log });

        string[] lines = File.ReadAllLines(log);
        Assert.Equal(201, lines.Length);
        Assert.All(lines[1..], line => Assert.Equal(9, line.Split('\t').Length));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines[1..].Select(l => l.Split('\t')[0]).Order(StringComparer.Ordinal).OrderBy(s => s.Length));
    }

    [Fact]
    public async Task RunAsync_HaltSoon_LetsRunningJobsFinishAndStartsNoMore()
    {
        Run run = await RunAsync(["sh", "-c", "exit $1", "sh", "{}"], ["0", "7", "0", "0"], new RunnerOptions { Jobs = 1, Halt = HaltPolicy.Parse("soon,fail=1") });

        Assert.Equal(2, run.Summary.Started);
        Assert.Equal(7, run.Summary.ExitStatus);
    }

    [Fact]
    public async Task RunAsync_SequenceAndSlot_ReachTheJobAsPlaceholdersAndEnvironment()
    {
        Run run = await RunAsync(["sh", "-c", "echo $1 $2 $PARALLEL_SEQ $PARALLEL_JOBSLOT", "sh", "{#}", "{%}"], ["a", "b"], new RunnerOptions { Jobs = 1, KeepOrder = true });

        Assert.Equal("1 1 1 1\n2 1 2 1\n", run.Stdout);
    }

    [Fact]
    public async Task RunAsync_Json_PrintsOneObjectPerJob()
    {
        Run run = await RunAsync(["sh", "-c", "echo out-$1; echo err >&2; exit 2", "sh", "{}"], ["v"], new RunnerOptions { Output = OutputMode.Json });

        using JsonDocument json = JsonDocument.Parse(run.Stdout);
        JsonElement job = json.RootElement;
        Assert.Equal(1, job.GetProperty("seq").GetInt64());
        Assert.Equal("v", job.GetProperty("values")[0].GetString());
        Assert.Equal(2, job.GetProperty("exit_code").GetInt32());
        Assert.Equal("out-v\n", job.GetProperty("stdout").GetString());
        Assert.Equal("err\n", job.GetProperty("stderr").GetString());
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task RunAsync_FailedJobs_AreTheExitStatusCappedAt101()
    {
        Run some = await RunAsync(["sh", "-c", "exit $1", "sh", "{}"], ["0", "1", "2", "0", "255", "9"], new RunnerOptions { Jobs = 2 });
        Run many = await RunAsync(["false"], [.. Enumerable.Range(0, 105).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], new RunnerOptions { Jobs = 2 });

        Assert.Equal(4, some.Summary.ExitStatus);
        Assert.Equal(105, many.Summary.Failed);
        Assert.Equal(101, many.Summary.ExitStatus);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_FailsThatJobWith127()
    {
        Run run = await RunAsync(["posixprocs-no-such-program-14"], ["a"], new RunnerOptions());

        JobResult job = Assert.Single(run.Jobs);
        Assert.Equal(127, job.ExitValue);
        Assert.Contains("ENOENT", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.Summary.ExitStatus);
    }

    [Fact]
    public async Task Interrupt_RunningJobs_ForwardsToTheirGroupsAndWaits()
    {
        string marker = Path.Combine(_directory, "started");
        var stdout = new MemoryStream();
        using var runner = new ParallelRunner(
            CommandTemplate.Parse(["sh", "-c", "echo $$; touch \"$1\"; sleep 100 & sleep 100", "sh", "{}"]),
            new RunnerOptions { Jobs = 2, StandardOutput = stdout, StandardError = new MemoryStream(), TerminationGrace = TimeSpan.FromSeconds(5) });
        Task<RunSummary> running = runner.RunAsync(InputSource.Combine([InputSource.FromValues([marker, marker + "2", marker + "3"])]));
        Assert.True(WaitUntil(() => File.Exists(marker)), "the job never started");

        runner.Interrupt(Signal.SIGINT);
        RunSummary summary = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Signal.SIGINT, summary.InterruptedBy);
        Assert.Equal(128 + Signal.SIGINT.Number, summary.ExitStatus);
        Assert.True(summary.Started <= 2);
        foreach (string pgid in Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int group = int.Parse(pgid, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(WaitUntil(() => LiveMembers(group).Count == 0), $"still alive in group {group}");
        }
    }

    [Fact]
    public async Task RunAsync_500Jobs_LeavesNoZombieAndNoDescriptor()
    {
        await RunAsync(["true"], ["warm-up"], new RunnerOptions());
        int descriptors = ProcessInspector.SettledDescriptorCount();

        Run run = await RunAsync(["true"], [.. Enumerable.Range(0, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], new RunnerOptions { Jobs = 4 });

        Assert.Equal(500, run.Summary.Succeeded);
        Assert.Equal(descriptors, ProcessInspector.SettledDescriptorCount());
        Assert.DoesNotContain(ProcessInspector.Children(Environment.ProcessId), child => child.State == 'Z');
    }

    private static async Task<Run> RunAsync(string[] words, string[] values, RunnerOptions options)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var jobs = new List<JobResult>();
        var withStreams = options with
        {
            StandardOutput = stdout,
            StandardError = stderr,
            JobCompleted = job =>
            {
                lock (jobs)
                {
                    jobs.Add(job);
                }
            },
        };
        using var runner = new ParallelRunner(CommandTemplate.Parse(words), withStreams);
        RunSummary summary = await runner.RunAsync(InputSource.Combine([InputSource.FromValues(values)])).WaitAsync(TimeSpan.FromSeconds(120));
        return new Run(summary, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), jobs);
    }

    /// <summary>Processes in a process group that have not ended (zombies have ended).</summary>
    private static List<int> LiveMembers(int group)
    {
        var members = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[2] == group.ToString(System.Globalization.CultureInfo.InvariantCulture) && fields[0] != "Z")
            {
                members.Add(pid);
            }
        }

        return members;
    }

    /// <summary>Polls a condition for up to 30 s (a generous bound, not a timing claim).</summary>
    private static bool WaitUntil(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    private sealed record Run(RunSummary Summary, string Stdout, string Stderr, List<JobResult> Jobs);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealProcesses
{
    public const string Name = "real processes";
}
