namespace PosixProcs.Stress;

/// <summary>
/// <c>PosixProcs.Stress [--quick] [--only a,b,pool-kills-fork] [--output DIR] [--cli PATH]</c> runs the
/// stress cases and writes DIR/report.json; the other verbs are the processes the cases start.
/// </summary>
internal static class Program
{
    public const string CaseVerb = "case";
    public const string KillerVerb = "killer";
    public const string StormVerb = "storm";
    public const string VictimVerb = "victim";
    public const string PeerVerb = "peer";
    public const string ProbeVerb = "probe";

    public static int Main(string[] args)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case CaseVerb when args.Length == 4:
                    return RunCase(args[1], args[2] == "quick", args[3]);
                case KillerVerb:
                    return WorkerKiller.Run(args[1..]);
                case StormVerb:
                    return SignalStorm.Run(args[1..]);
                case VictimVerb:
                    return ParentKilledCases.Victim(args[1..]);
                case PeerVerb:
                    return StormPeer.Run(args[1..]);
                case ProbeVerb:
                    return CorruptionCases.Probe(args[1..]);
            }
        }

        return StressHarness.Run(args);
    }

    private static int RunCase(string name, bool quick, string cliPath)
    {
        CaseSpec? spec = CaseCatalog.All.FirstOrDefault(c => c.Name == name);
        if (spec is null)
        {
            Console.Error.WriteLine($"no case named {name}");
            return 2;
        }

        // Open the standard streams now: a case that uses up every descriptor must still be able to report.
        _ = Console.Out;
        _ = Console.Error;
        var recorder = new CaseRecorder();
        int code;
        try
        {
            code = spec.Body(new CaseContext(quick, cliPath, recorder));
        }
        catch (Exception ex)
        {
            // A case that throws has failed, with the exception as its reason: never a silent pass.
            recorder.Check("case completed", false, $"{ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine(ex);
            code = recorder.Finish();
        }

        // The verdict is out: leave at once. A pool that hung in Dispose may hold a foreground
        // thread, and the runtime's orderly shutdown would wait for it; the harness would then
        // see a timeout instead of the verdict already printed.
        Console.Out.Flush();
        Console.Error.Flush();
        Posix.Exit(code);
        return code;
    }
}
