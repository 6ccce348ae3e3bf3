using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PosixProcs.Runner;
using Spectre.Console;

namespace PosixProcs.Cli;

/// <summary>
/// <c>posixprocs run -j N [options] -- COMMAND {} [::: VALUES] [:::: FILES]</c>: a parallel
/// command runner (GNU parallel, xargs -P). Only parses options into
/// <see cref="RunnerOptions"/> and renders: the work is <see cref="ParallelRunner"/>'s. A
/// progress bar with ETA goes to stderr when stderr is a terminal and stdout is not (so the bar
/// never fights job output); nothing extra is printed when both are redirected.
/// </summary>
internal static class RunCommand
{
    private const string ValuesSeparator = ":::";
    private const string FilesSeparator = "::::";

    /// <summary>GNU parallel's status for an error of the run itself (not of a job).</summary>
    private const int RunError = 255;

    public static Command Create()
    {
        var words = new Argument<string[]>("command")
        {
            Description = "The command and its arguments, with placeholders {} {.} {/} {//} {/.} {#} {%} {N}; then ::: VALUES... or :::: FILES... (several give every combination). Without them, values are stdin's lines.",
            Arity = ArgumentArity.OneOrMore,
        };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Jobs run at once.", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N" };
        var shell = new Option<bool>("--shell") { Description = "Run each job with /bin/sh -c; substituted values are shell-quoted (GNU parallel's quoting)." };
        var lineBuffer = new Option<bool>("--line-buffer") { Description = "Write output line by line as it comes (lines of jobs interleave, never split)." };
        var keepOrder = new Option<bool>("--keep-order", "-k") { Description = "Write jobs' output in input order." };
        var timeout = new Option<double?>("--timeout") { Description = "End a job's process group after SECONDS (SIGTERM, grace, SIGKILL).", HelpName = "SECONDS" };
        var grace = new Option<double>("--term-grace") { Description = "Seconds between SIGTERM and SIGKILL when a job is ended.", DefaultValueFactory = _ => 1.0, HelpName = "SECONDS" };
        var retries = new Option<int>("--retries") { Description = "Run a failed job again, up to N more times.", HelpName = "N" };
        var halt = new Option<string>("--halt") { Description = "Stop early: never, soon,fail=N, now,fail=N (also success=N, done=N), 0, 1, 2.", DefaultValueFactory = _ => "never", HelpName = "POLICY" };
        var joblog = new Option<string?>("--joblog") { Description = "Write GNU parallel's tab-separated job log to FILE.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per job (values, command, exit, timing, stdout, stderr) instead of its output." };
        var argFiles = new Option<string[]>("--arg-file", "-a") { Description = "Read values from FILE, one per line (- for stdin).", HelpName = "FILE", AllowMultipleArgumentsPerToken = false };
        var command = new Command("run", "Runs a command once per input value, N at a time (GNU parallel, xargs -P): no shell unless --shell, output grouped per job. Exit status: failed jobs (at most 101).")
        {
            words, jobs, shell, lineBuffer, keepOrder, timeout, grace, retries, halt, joblog, json, argFiles,
        };
        command.SetAction(result =>
        {
            try
            {
                (IReadOnlyList<string> template, List<InputSource> sources, long? total) = SplitSources(result.GetValue(words)!, result.GetValue(argFiles) ?? []);
                var options = new RunnerOptions
                {
                    Jobs = result.GetValue(jobs),
                    UseShell = result.GetValue(shell),
                    Output = result.GetValue(json) ? Runner.OutputMode.Json : result.GetValue(lineBuffer) ? Runner.OutputMode.LineBuffer : Runner.OutputMode.Group,
                    KeepOrder = result.GetValue(keepOrder),
                    Timeout = result.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    TerminationGrace = TimeSpan.FromSeconds(result.GetValue(grace)),
                    Retries = result.GetValue(retries),
                    Halt = HaltPolicy.Parse(result.GetValue(halt)!),
                    JobLogPath = result.GetValue(joblog),
                };
                return Run(CommandTemplate.Parse(template), options, sources, total);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"posixprocs run: {ex.Message}");
                return RunError;
            }
        });
        return command;
    }

    /// <summary>Splits <c>COMMAND... ::: a b :::: file</c> into the template and the sources; the job count when it is known up front.</summary>
    internal static (IReadOnlyList<string> Template, List<InputSource> Sources, long? Total) SplitSources(IReadOnlyList<string> tokens, IReadOnlyList<string> argFiles)
    {
        int first = tokens.ToList().FindIndex(t => t is ValuesSeparator or FilesSeparator);
        IReadOnlyList<string> template = first < 0 ? tokens : tokens.Take(first).ToList();
        var sources = new List<InputSource>();
        long? total = 1;
        foreach (string file in argFiles)
        {
            sources.Add(InputSource.FromFile(file));
            total = null;
        }

        int i = first < 0 ? tokens.Count : first;
        while (i < tokens.Count)
        {
            bool files = tokens[i] == FilesSeparator;
            int end = i + 1;
            while (end < tokens.Count && tokens[end] is not (ValuesSeparator or FilesSeparator))
            {
                end++;
            }

            List<string> group = tokens.Skip(i + 1).Take(end - i - 1).ToList();
            if (files)
            {
                sources.AddRange(group.Select(InputSource.FromFile));
                total = null;
            }
            else
            {
                sources.Add(InputSource.FromValues(group));
                total *= group.Count;
            }

            i = end;
        }

        if (sources.Count == 0)
        {
            sources.Add(InputSource.FromLines(Console.OpenStandardInput));
            total = null;
        }

        return (template, sources, total);
    }

    private static int Run(CommandTemplate template, RunnerOptions options, List<InputSource> sources, long? total)
    {
        if (template.HighestSource > sources.Count)
        {
            Console.Error.WriteLine($"posixprocs run: the command uses input source {template.HighestSource}, but there are {sources.Count}.");
            return RunError;
        }

        bool showProgress = !Console.IsErrorRedirected && Console.IsOutputRedirected;
        return showProgress ? RunWithProgress(template, options, sources, total) : Execute(template, options, sources);
    }

    private static int Execute(CommandTemplate template, RunnerOptions options, List<InputSource> sources)
    {
        using var runner = new ParallelRunner(template, options);

        // Ctrl-C and SIGTERM reach this process only: the jobs lead their own process groups.
        // Forward to every running job's group, then wait for them (no orphan is left).
        using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            runner.Interrupt(Signal.SIGINT);
        });
        using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            runner.Interrupt(Signal.SIGTERM);
        });
        RunSummary summary = runner.RunAsync(InputSource.Combine(sources)).GetAwaiter().GetResult();
        if (summary.HaltedBy is { } job && summary.Halt?.Condition == HaltCondition.Fail)
        {
            Console.Error.WriteLine($"posixprocs run: halted ({summary.Halt}) after this job failed: {job.Command}");
        }

        return summary.ExitStatus;
    }

    private static int RunWithProgress(CommandTemplate template, RunnerOptions options, List<InputSource> sources, long? total)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        int status = 0;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(total is { } n ? $"{n.ToString(CultureInfo.InvariantCulture)} jobs" : "jobs", maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                var withProgress = options with
                {
                    JobCompleted = _ =>
                    {
                        if (total is null)
                        {
                            task.Description = $"{(long)task.Value + 1} jobs";
                        }

                        task.Increment(1);
                    },
                };
                status = Execute(template, withProgress, sources);
                task.StopTask();
            });
        return status;
    }
}
