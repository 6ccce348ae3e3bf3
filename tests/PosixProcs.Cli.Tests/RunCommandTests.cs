using System.Globalization;
using System.Text;
using PosixProcs.CliTesting;

namespace PosixProcs.CliTests;

[Collection(CommandRuns.Name)]
public class RunCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public void Run_FailedJobs_AreTheExitStatusAndOutputIsGrouped()
    {
        CliRun run = CliRunner.Run(Limit, "run", "-j", "2", "-k", "--", "sh", "-c", "echo job-$1; exit $1", "sh", "{}", ":::", "0", "1", "0", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("job-0\njob-1\njob-0\njob-2\n", run.Output);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void Run_ShellWithHostileValue_PrintsItAsData()
    {
        string directory = Directory.CreateTempSubdirectory("posixprocs-run-cli-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "x"), "survivor");

            CliRun run = CliRunner.Run(Limit, "run", "--shell", "--", "cd", directory, "&&", "echo", "{}", ":::", "$(touch pwned); rm -rf x");

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("$(touch pwned); rm -rf x\n", run.Output);
            Assert.False(File.Exists(Path.Combine(directory, "pwned")));
            Assert.True(File.Exists(Path.Combine(directory, "x")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Run_BadHaltPolicy_IsAnErrorOf255()
    {
        CliRun run = CliRunner.Run(Limit, "run", "--halt", "sometime", "--", "true", ":::", "1");

        Assert.Equal(255, run.ExitCode);
        Assert.Contains("halt policy", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SigtermToTheRunner_EndsEveryJobsGroupAndExitsWith128PlusSignal()
    {
        // sh starts `sleep &` with SIGINT ignored; SIGTERM, then SIGKILL for what is left, end it all the same.
        using ChildProcess cli = ChildProcess.Spawn("dotnet", [CliRunner.CliAssembly, "run", "-j", "2", "--line-buffer", "--", "sh", "-c", "echo $$; sleep 100 & sleep 100", ":::", "a", "b"], new SpawnOptions
        {
            StandardOutput = StdioRedirect.Pipe,
            StandardError = StdioRedirect.Null,
            StandardInput = StdioRedirect.Null,
        });
        var groups = new List<int>();
        var pending = new StringBuilder();
        byte[] buffer = new byte[256];
        long deadline = Environment.TickCount64 + 60_000;
        while (groups.Count < 2 && Environment.TickCount64 < deadline)
        {
            if (Posix.Poll(cli.StandardOutput!.Handle, PollEvents.In, TimeSpan.FromSeconds(1)) == PollEvents.None)
            {
                continue;
            }

            int n = cli.StandardOutput.Read(buffer);
            Assert.NotEqual(0, n);
            pending.Append(Encoding.UTF8.GetString(buffer, 0, n));
            string text = pending.ToString();
            int newline;
            while ((newline = text.IndexOf('\n', StringComparison.Ordinal)) >= 0)
            {
                groups.Add(int.Parse(text[..newline], CultureInfo.InvariantCulture));
                text = text[(newline + 1)..];
            }

            pending.Clear().Append(text);
        }

        Assert.Equal(2, groups.Count);

        cli.Signal(Signal.SIGTERM);

        Assert.True(cli.Wait(Limit), "posixprocs run did not exit after SIGTERM");
        Assert.Equal(new WaitStatus.Exited(128 + Signal.SIGTERM.Number), cli.Status);
        foreach (int group in groups)
        {
            Assert.Empty(LiveMembers(group));
        }
    }

    /// <summary>Processes of a group that have not ended; its jobs were SIGKILLed before the runner exited.</summary>
    private static List<int> LiveMembers(int group)
    {
        var members = new List<int>();
        long deadline = Environment.TickCount64 + 30_000;
        do
        {
            members.Clear();
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid))
                {
                    continue;
                }

                try
                {
                    string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields[2] == group.ToString(CultureInfo.InvariantCulture) && fields[0] != "Z")
                    {
                        members.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }

            if (members.Count == 0)
            {
                break;
            }

            Thread.Sleep(20);
        }
        while (Environment.TickCount64 < deadline);
        return members;
    }
}
