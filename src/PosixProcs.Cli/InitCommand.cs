using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using PosixProcs;

namespace PosixProcs.Cli;

/// <summary>
/// <c>posixprocs init [options] -- PROGRAM ARGS</c>: becomes posixprocs-init (execve, so the
/// init is this very process: PID 1 when the tool is a container's entry point), which runs
/// PROGRAM, forwards signals, reaps orphans, and exits with PROGRAM's code.
/// </summary>
/// <remarks>
/// Exit codes before the init runs: 127 when posixprocs-init is not next to the tool (the
/// message names every place looked at), 126 when it is there but cannot be executed (the
/// message names the call and errno), 2 bad usage. After that, the init's: PROGRAM's code,
/// 128 + the signal that killed it, or the init's own (2, 125, 126, 127: see ContainerInit).
/// </remarks>
internal static class InitCommand
{
    /// <summary>posixprocs-init is not where the tool carries it.</summary>
    public const int InitMissingExitCode = 127;

    /// <summary>posixprocs-init is there but exec failed.</summary>
    public const int InitNotExecutableExitCode = 126;

    public static Command Create()
    {
        var subreaper = new Option<bool>("--subreaper", "-s") { Description = "Become a child subreaper when not PID 1 (Linux), so the program's orphans come to the init." };
        var group = new Option<bool>("--group", "-g") { Description = "Forward signals to the program's whole process group." };
        var parentDeath = new Option<Signal?>("--parent-death-signal", "-p")
        {
            Description = "A signal the init asks for when its parent dies (Linux); forwarded like any other.",
            HelpName = "SIGNAL",
            CustomParser = ParseSignal,
        };
        var grace = new Option<int?>("--grace", "-t")
        {
            Description = "After the program exits: SIGTERM what is left of its group, SIGKILL after MS milliseconds.",
            HelpName = "MS",
        };
        grace.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--grace takes milliseconds, 0 or more.");
            }
        });
        var verbose = new Option<bool>("--verbose", "-v") { Description = "The init says what happens on standard error." };
        var program = new Argument<string[]>("program")
        {
            Description = "The program and its arguments, after --.",
            HelpName = "PROGRAM ARGS",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("init", "Runs PROGRAM under posixprocs-init, a small init in C (tini's job) that this process becomes (execve): "
            + "signals forwarded, orphans reaped, PROGRAM's exit code (128 + N when killed by signal N). "
            + "Exit code 127 when posixprocs-init is not next to the tool, 126 when it cannot be executed.")
        {
            subreaper, group, parentDeath, grace, verbose, program,
        };
        command.SetAction(result => Run(
            new ContainerInitOptions
            {
                Subreaper = result.GetValue(subreaper),
                ForwardToGroup = result.GetValue(group),
                ParentDeathSignal = result.GetValue(parentDeath),
                GracePeriod = result.GetValue(grace) is int ms ? TimeSpan.FromMilliseconds(ms) : null,
                Verbose = result.GetValue(verbose),
            },
            result.GetValue(program)!));
        return command;
    }

    private static int Run(ContainerInitOptions options, string[] program)
    {
        string? init = ContainerInit.Find();
        if (init is null)
        {
            Console.Error.WriteLine(
                $"posixprocs init: {ContainerInit.ProgramName} was not found next to the tool: not at {string.Join(", not at ", ContainerInit.SearchPaths())}. "
                + "The PosixProcs packages carry it for linux-x64 and linux-arm64; from a source checkout, run `make native` and build again.");
            return InitMissingExitCode;
        }

        try
        {
            ContainerInit.Exec(init, options, program[0], program[1..]);
        }
        catch (PosixException ex)
        {
            Console.Error.WriteLine($"posixprocs init: cannot run {init}: {ex.Message}");
            return InitNotExecutableExitCode;
        }

        return InitNotExecutableExitCode; // not reached: a successful exec does not return
    }

    private static Signal? ParseSignal(ArgumentResult result)
    {
        string text = result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            try
            {
                return Signal.FromNumber(number);
            }
            catch (ArgumentException)
            {
                result.AddError($"No signal has the number {text} here.");
                return null;
            }
        }

        try
        {
            return Signal.Parse(text);
        }
        catch (ArgumentException)
        {
            result.AddError($"Unknown signal '{text}' (a name such as TERM or SIGTERM, or a number).");
            return null;
        }
    }
}
