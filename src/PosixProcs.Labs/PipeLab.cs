using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// The pipe seed: a child writes a message, the parent reads it. Then the classic mistake:
/// the parent keeps its own copy of the write end open and never sees end of file, shown
/// with a poll timeout instead of a hang.
/// </summary>
public sealed class PipeLab : Lab
{
    private static readonly TimeSpan EofPatience = TimeSpan.FromMilliseconds(300);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override string Name => "pipe";

    /// <inheritdoc/>
    public override string Title => "pipe: child to parent, and the end of file that never comes";

    /// <inheritdoc/>
    public override string Claim => "A reader sees end of file only when every copy of the write end is closed, its own included: a parent that forgets to close its write end waits for ever after the child has exited.";

    /// <inheritdoc/>
    public override string Summary => "child → parent message; closing unused ends; the missing EOF when the parent keeps its write end";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Reverse it: the child keeps the read end open while the parent writes into a pipe nobody reads. When does write fail with EPIPE?",
        "Run `ls -l /proc/PID/fd` on both processes while they run: every process holds both ends after fork until it closes one.",
        "Replace the pipe with Posix.SocketPair(): what changes about direction?",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();

        recorder.Step("1. The right way: the child closes its read end, writes, exits; the parent closes its write end and reads to end of file.");
        string message;
        bool eofDone;
        double doneMs;
        using (PipeEnds pipe = Posix.Pipe())
        {
            Pid child = children.Fork(() =>
            {
                pipe.Read.Dispose();
                LabIo.WriteText(pipe.Write, $"hello from child {Pid.Current}");
                return 0;
            });
            pipe.Write.Dispose();
            long start = Stopwatch.GetTimestamp();
            ReadOutcome outcome = LabIo.ReadToEnd(pipe.Read, Limit);
            doneMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            children.Wait(child, Limit);
            message = recorder.Measure("message", outcome.Text, "the parent read");
            eofDone = recorder.Measure("eofWhenClosed", outcome.EndOfFile, "end of file seen (parent closed its write end)");
            recorder.Measure("eofWhenClosedMs", doneMs, "ms", "time from fork to end of file");
        }

        recorder.Step($"2. The mistake: the parent keeps its write end. The child writes, closes its copy and exits; the parent reads, then polls for end of file for {EofPatience.TotalMilliseconds:0} ms.");
        bool eofWhileOpen;
        bool eofAfterClose;
        string childStatus;
        double afterCloseMs;
        string secondMessage;
        using (PipeEnds pipe = Posix.Pipe())
        {
            Pid child = children.Fork(() =>
            {
                pipe.Read.Dispose();
                LabIo.WriteText(pipe.Write, $"hello again from child {Pid.Current}");
                return 0;
            });

            // Deliberately NOT closing pipe.Write here.
            WaitStatus status = children.Wait(child, Limit);
            childStatus = status.ToString()!;
            ReadOutcome whileOpen = LabIo.ReadToEnd(pipe.Read, EofPatience);
            secondMessage = whileOpen.Text;
            eofWhileOpen = whileOpen.EndOfFile;

            recorder.Step("Now the parent closes its write end, and polls again.");
            pipe.Write.Dispose();
            long start = Stopwatch.GetTimestamp();
            ReadOutcome afterClose = LabIo.ReadToEnd(pipe.Read, Limit);
            afterCloseMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            eofAfterClose = afterClose.EndOfFile;
        }

        recorder.Measure("childStatusBeforePoll", childStatus, "the child, reaped before the parent polled");
        recorder.Measure("messageWhileOpen", secondMessage, "the parent still got the data");
        recorder.Measure("eofWhileParentHeldWriteEnd", eofWhileOpen, $"end of file within {EofPatience.TotalMilliseconds:0} ms while the parent held the write end");
        recorder.Measure("eofPatienceMs", EofPatience.TotalMilliseconds, "ms", "how long the parent polled");
        recorder.Measure("eofAfterParentClosed", eofAfterClose, "end of file after the parent closed its write end");
        recorder.Measure("eofAfterParentClosedMs", afterCloseMs, "ms", "time to end of file after that close");

        recorder.Check("messageArrived", $"the parent read \"{message}\"", message.StartsWith("hello from child ", StringComparison.Ordinal));
        recorder.Check("eofWithEndsClosed", "with both unused ends closed, end of file came", eofDone);
        recorder.Check("noEofWhileOwnWriteEndOpen", $"with its own write end open, no end of file in {EofPatience.TotalMilliseconds:0} ms although the child had exited", !eofWhileOpen && secondMessage.StartsWith("hello again", StringComparison.Ordinal));
        recorder.Check("eofAfterClose", $"closing it gave end of file ({afterCloseMs:0.##} ms later)", eofAfterClose);
        recorder.Evidence = $"EOF with own write end open: {(eofWhileOpen ? "yes" : "no")} in {EofPatience.TotalMilliseconds:0} ms; after close: {(eofAfterClose ? "yes" : "no")} in {afterCloseMs:0.##} ms";
    }
}
