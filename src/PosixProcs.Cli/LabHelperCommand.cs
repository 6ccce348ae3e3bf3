using System.CommandLine;
using PosixProcs.Labs;

namespace PosixProcs.Cli;

/// <summary>
/// <c>posixprocs lab-helper NAME</c> (hidden): the sacrificial processes some labs start,
/// with runtime settings a lab must not use on itself (e.g. W^X on).
/// </summary>
internal static class LabHelperCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The helper: " + string.Join(", ", LabHelpers.Names) + "." };
        name.AcceptOnlyFromAmong([.. LabHelpers.Names]);
        var command = new Command("lab-helper", "Runs a lab's sacrificial process (used by the labs themselves).") { name };
        command.Hidden = true;
        command.SetAction(result => LabHelpers.Run(result.GetValue(name)!));
        return command;
    }
}
