namespace PosixProcs.Stress;

/// <summary>
/// Cases that misbehave on purpose, so the tests can check that the harness stays honest: a host
/// that dies, a case that hangs, a case that leaves a process behind. Hidden: run only by name.
/// </summary>
internal static class SelfTestCases
{
    public static int HostDeath(CaseContext context)
    {
        context.Recorder.Metric("step", "about to be killed");
        Posix.Kill(Pid.Current, Signal.SIGKILL);
        return 0;
    }

    public static int Hang(CaseContext context)
    {
        context.Recorder.Metric("step", "hanging");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static int Orphan(CaseContext context)
    {
        // Not disposed on purpose: the process outlives this case and must be found by the harness.
        ChildProcess sleeper = ChildProcess.Spawn("sleep", ["30"]);
        context.Recorder.Metric("orphan", sleeper.Pid.Value);
        context.Recorder.Check("the case itself passes", true, "left a sleep behind");
        return context.Recorder.Finish();
    }
}
