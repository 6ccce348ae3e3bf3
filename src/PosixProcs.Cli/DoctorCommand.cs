using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using PosixProcs;

namespace PosixProcs.Cli;

/// <summary><c>posixprocs doctor</c>: can this process fork safely, and is the native shim there?</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("doctor", "Checks the platform, the native shim and whether fork is safe in this process.") { json };
        command.SetAction(result => Run(result.GetValue(json)));
        return command;
    }

    private static int Run(bool json)
    {
        ForkHazards hazards = ForkSafety.Check(out IReadOnlyList<string> threads);
        var report = new DoctorReport(
            RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString(),
            RuntimeInformation.FrameworkDescription,
            Posix.PageSize,
            Signal.SIGCHLD.Number,
            ForkSafety.IsWriteXorExecuteActive,
            ForkSafety.IsTieredCompilationEnabled,
            threads,
            hazards == ForkHazards.None);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
        }
        else
        {
            Console.WriteLine($"platform         {report.Platform} ({report.Architecture}), {report.Runtime}");
            Console.WriteLine($"page size        {report.PageSize} bytes; SIGCHLD is {report.SigchldNumber} here");
            Console.WriteLine($"W^X double map   {(report.WriteXorExecute ? "ACTIVE (fork would corrupt the parent)" : "off")}");
            Console.WriteLine($"tiered JIT       {(report.TieredCompilation ? "ON (a forked child can hang)" : "off")}");
            Console.WriteLine($"running threads  {(threads.Count == 0 ? "none besides this one" : string.Join(", ", threads))}");
            Console.WriteLine($"fork             {(report.ForkIsSafe ? "safe" : ForkSafety.Describe(hazards, threads))}");
        }

        return report.ForkIsSafe ? 0 : 1;
    }

    private sealed record DoctorReport(
        string Platform,
        string Architecture,
        string Runtime,
        int PageSize,
        int SigchldNumber,
        bool WriteXorExecute,
        bool TieredCompilation,
        IReadOnlyList<string> RunningThreads,
        bool ForkIsSafe);
}
