using System.Globalization;

namespace PosixProcs.Labs;

/// <summary>
/// The classic fork seed: fork returns twice, the child gets its own pid and the parent's
/// pid as ppid, and it works on a copy of the parent's memory: a global the child sets to 99
/// is still 42 in the parent, at the same virtual address.
/// </summary>
public sealed class ForkLab : Lab
{
    private static int global = 42;

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override string Name => "fork";

    /// <inheritdoc/>
    public override string Title => "fork: one call, two returns, two copies";

    /// <inheritdoc/>
    public override string Claim => "fork returns the child's pid in the parent and 'child' in the child, and the child changes only its own copy of memory (a global set to 99 there is still 42 in the parent).";

    /// <inheritdoc/>
    public override string Summary => "fork return values, pid/ppid, a global and an array copied into the child";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Fork twice in a row without the child exiting: how many processes print? (2^n)",
        "Write to Console in the child before Posix.Exit and redirect to a file: is anything printed twice? Why not (autoflush)?",
        "Compare the pid printed here with `ps -o pid,ppid,cmd` while a child sleeps.",
    ];

    private static double MedianForkExitWait(Children children, int count)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Pid pid = children.Fork(() => 0);
            children.Wait(pid, Limit);
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times[count / 2];
    }

    /// <inheritdoc/>
    protected override unsafe void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        global = 42;
        int[] array = [1, 2, 3];
        using var children = new Children();
        using PipeEnds report = Posix.Pipe();
        Pid parentPid = Pid.Current;
        recorder.Step($"Parent {parentPid}: global = {global}, array[0] = {array[0]}; calling Posix.Fork().");

        Pid child = children.Fork(
            () =>
            {
                report.Read.Dispose();
                global = 99;
                array[0] = 100;
                nint address;
                fixed (int* p = &global)
                {
                    address = (nint)p;
                }

                LabIo.WriteReport(
                    report.Write,
                    ("returned", "child"),
                    ("pid", Pid.Current),
                    ("ppid", Pid.Parent),
                    ("global", global),
                    ("array0", array[0]),
                    ("address", address.ToString("x", CultureInfo.InvariantCulture)));
                return 0;
            },
            out TimeSpan forkTime);
        report.Write.Dispose();

        Report fromChild = LabIo.ReadReport(report.Read, Limit);
        WaitStatus status = children.Wait(child, Limit);
        nint parentAddress;
        fixed (int* p = &global)
        {
            parentAddress = (nint)p;
        }

        recorder.Step("In the child (its report, sent over a pipe): Fork() returned ForkResult.Child (C: 0); it set global = 99 and array[0] = 100.");
        recorder.Measure("forkReturnedInParent", child.Value, string.Empty, "fork returned in the parent (the child's pid)");
        recorder.Measure("forkReturnedInChild", fromChild.Text("returned"), "fork returned in the child");
        long childPid = recorder.Measure("childPid", fromChild.Number("pid"), string.Empty, "the child's getpid()");
        long childPpid = recorder.Measure("childPpid", fromChild.Number("ppid"), string.Empty, "the child's getppid()");
        recorder.Measure("parentPid", parentPid.Value, string.Empty, "the parent's getpid()");
        long childGlobal = recorder.Measure("childGlobal", fromChild.Number("global"), string.Empty, "global in the child after it set it");
        long parentGlobal = recorder.Measure("parentGlobal", global, string.Empty, "global in the parent after the child exited");
        long parentArray = recorder.Measure("parentArray0", array[0], string.Empty, "array[0] in the parent (the child set 100)");
        string childAddress = recorder.Measure("childAddress", "0x" + fromChild.Text("address"), "&global in the child");
        string parentAddressText = recorder.Measure("parentAddress", "0x" + parentAddress.ToString("x", CultureInfo.InvariantCulture), "&global in the parent");
        recorder.Measure("firstForkMilliseconds", forkTime.TotalMilliseconds, "ms", "the first Posix.Fork() to return (guard checks and JIT included)");
        recorder.Measure("forkExitWaitMilliseconds", MedianForkExitWait(children, 15), "ms", "fork + _exit in the child + waitpid, median of 15 (the cost of a process)");
        recorder.Measure("childStatus", status.ToString()!, "the child's wait status");

        recorder.Check("pidMatches", $"fork's return in the parent ({child}) is the child's own pid ({childPid})", child.Value == childPid);
        recorder.Check("ppidIsParent", $"the child's ppid ({childPpid}) is the parent's pid ({parentPid})", childPpid == parentPid.Value);
        recorder.Check("childSawChild", "Fork() returned ForkResult.Child in the child", fromChild.Text("returned") == "child");
        recorder.Check("globalCopied", $"the child saw global = {childGlobal}, the parent still sees {parentGlobal}", childGlobal == 99 && parentGlobal == 42);
        recorder.Check("arrayCopied", $"the parent's array[0] is still {parentArray} (the child wrote 100 into its copy)", parentArray == 1);
        recorder.Check("sameAddress", $"the same virtual address in both ({childAddress} / {parentAddressText}), different memory", childAddress == parentAddressText);
        recorder.Check("childExited", $"the child {status}", status.IsSuccess);
        recorder.Evidence = $"child {childPid} ppid {childPpid}; global child {childGlobal} / parent {parentGlobal}";
    }
}
