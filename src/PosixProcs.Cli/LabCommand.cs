using System.CommandLine;
using System.Text.Json.Nodes;
using PosixProcs.Labs;

namespace PosixProcs.Cli;

/// <summary><c>posixprocs lab NAME</c> and <c>posixprocs lab --list</c>: one lab, narrated, with its verdict.</summary>
internal static class LabCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name")
        {
            Description = "The lab to run: " + string.Join(", ", LabCatalog.All.Select(l => l.Name)) + ".",
            Arity = ArgumentArity.ZeroOrOne,
        };
        name.AcceptOnlyFromAmong([.. LabCatalog.All.Select(l => l.Name)]);
        var list = new Option<bool>("--list") { Description = "List the labs, one line each." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (claim, verdict, every measurement by name, the checks)." };
        var command = new Command("lab", "Runs one lab: its claim, the measured numbers that decide it, and what to try next. Exit code 0 if the claim held or was inconclusive (a timing check on a busy machine), 1 if it did not hold.")
        {
            name,
            list,
            json,
        };
        command.SetAction(result => Run(result.GetValue(name), result.GetValue(list), result.GetValue(json)));
        return command;
    }

    private static int Run(string? name, bool list, bool json)
    {
        if (list || name is null)
        {
            return List(json, usage: !list);
        }

        Lab lab = LabCatalog.Find(name) ?? throw new InvalidOperationException($"no lab named {name}");
        OutputMode mode = LabOutput.Choose(json);
        LabResult result = LabOutput.Run(lab, new LabContext(LabOutput.Narrator(mode), SelfLauncher.Command()));
        if (mode == OutputMode.Json)
        {
            LabOutput.PrintJson(LabOutput.ToJson(result));
        }
        else
        {
            LabOutput.Verdict(result, mode);
        }

        return LabOutput.ExitCode(result.Verdict);
    }

    private static int List(bool json, bool usage)
    {
        if (json)
        {
            var labs = new JsonArray();
            foreach (Lab lab in LabCatalog.All)
            {
                labs.Add(new JsonObject { ["name"] = lab.Name, ["title"] = lab.Title, ["summary"] = lab.Summary, ["claim"] = lab.Claim });
            }

            LabOutput.PrintJson(new JsonObject { ["labs"] = labs });
        }
        else
        {
            int width = LabCatalog.All.Max(l => l.Name.Length);
            foreach (Lab lab in LabCatalog.All)
            {
                Console.WriteLine($"{lab.Name.PadRight(width)}  {lab.Summary}");
            }
        }

        if (usage)
        {
            Console.Error.WriteLine("usage: posixprocs lab NAME [--json]   (posixprocs tour runs them all)");
            return 2;
        }

        return 0;
    }
}
