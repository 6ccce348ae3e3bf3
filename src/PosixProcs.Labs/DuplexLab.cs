using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// The duplex seed: two pipes, one each way; the parent waits for the child, sends, the
/// child replies. Then the classic deadlock: both sides write more than a pipe holds before
/// reading, and both stall. Then the fix: one side reads first.
/// </summary>
public sealed class DuplexLab : Lab
{
    private const int RoundTrips = 2000;
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(400);

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override string Name => "duplex";

    /// <inheritdoc/>
    public override string Title => "duplex: two pipes, a conversation, and a deadlock";

    /// <inheritdoc/>
    public override string Claim => "Two processes that each write more than the pipe capacity before reading both stall with exactly one capacity written (a deadlock); when one side reads first, the same exchange completes.";

    /// <inheritdoc/>
    public override string Summary => "request/reply over two pipes; the both-write-first deadlock at pipe capacity; the fix";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Fix it the other way: interleave, each side polling both descriptors and reading whenever its write would block.",
        "Shrink the pipe (fcntl F_SETPIPE_SZ, e.g. to 4096) and watch the stall point move.",
        "While the deadlocked child is stuck, read /proc/PID/wchan and /proc/PID/stack (root): where does write(2) sleep?",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        using var children = new Children();
        Conversation(children, recorder);
        long capacity = Deadlock(children, recorder, out long parentStalled, out long childStalled, out string wchan);
        Fix(children, recorder, capacity, out long sent, out long received);
        recorder.Evidence = $"capacity {capacity} B; both-write-first stalled at {parentStalled}/{childStalled} B; child-reads-first moved {sent}+{received} B";
    }

    private static void Conversation(Children children, LabRecorder recorder)
    {
        recorder.Step($"1. The seed: the child says it is ready, the parent sends a request, the child replies; {RoundTrips} round trips of 8 bytes.");
        using PipeEnds toChild = Posix.Pipe();
        using PipeEnds toParent = Posix.Pipe();
        Pid child = children.Fork(() =>
        {
            toChild.Write.Dispose();
            toParent.Read.Dispose();
            LabIo.WriteText(toParent.Write, "ready!!!");
            byte[] message = new byte[8];
            while (ReadMessage(toChild.Read, message))
            {
                long n = BitConverter.ToInt64(message);
                Posix.WriteAll(toParent.Write, BitConverter.GetBytes(n + 1));
            }

            return 0;
        });
        toChild.Read.Dispose();
        toParent.Write.Dispose();

        byte[] reply = new byte[8];
        bool ready = ReadMessage(toParent.Read, reply) && System.Text.Encoding.ASCII.GetString(reply) == "ready!!!";
        long correct = 0;
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < RoundTrips; i++)
        {
            Posix.WriteAll(toChild.Write, BitConverter.GetBytes(i));
            if (!ReadMessage(toParent.Read, reply))
            {
                break;
            }

            correct += BitConverter.ToInt64(reply) == i + 1 ? 1 : 0;
        }

        double elapsedUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        toChild.Write.Dispose(); // the child's read returns 0: it exits
        WaitStatus status = children.Wait(child, Limit);

        recorder.Measure("childReady", ready, "the parent waited for the child's \"ready\"");
        recorder.Measure("correctReplies", correct, "replies", $"correct replies (n+1) out of {RoundTrips}");
        recorder.Measure("roundTripMicroseconds", elapsedUs / RoundTrips, "µs", "mean round trip parent → child → parent");
        recorder.Check("conversation", $"{correct}/{RoundTrips} replies correct; child {status}", ready && correct == RoundTrips && status.IsSuccess);
    }

    private static long Deadlock(Children children, LabRecorder recorder, out long parentWrote, out long childWrote, out string wchan)
    {
        using PipeEnds toChild = Posix.Pipe();
        using PipeEnds toParent = Posix.Pipe();
        using PipeEnds report = Posix.Pipe();
        long capacity = Posix.GetPipeCapacity(toChild.Write);
        long size = 2 * capacity;
        recorder.Step($"2. The deadlock: each side writes {size} bytes (twice the pipe's capacity) before reading anything. Writes are non-blocking with a {Stall.TotalMilliseconds:0} ms deadline, so the parent cannot hang.");
        recorder.Measure("pipeCapacity", capacity, "B", "pipe capacity (F_GETPIPE_SZ)");

        Pid child = children.Fork(() =>
        {
            toChild.Write.Dispose();
            toParent.Read.Dispose();
            report.Read.Dispose();
            toParent.Write.NonBlocking = true;
            long wrote = LabIo.WriteAtMost(toParent.Write, size, Stall);
            LabIo.WriteReport(report.Write, ("wrote", wrote));
            report.Write.Dispose();

            // Now block for real, as a program without a deadline would: this write never returns.
            toParent.Write.NonBlocking = false;
            Posix.WriteAll(toParent.Write, new byte[size - wrote]);
            return 0;
        });
        toChild.Read.Dispose();
        toParent.Write.Dispose();
        report.Write.Dispose();

        toChild.Write.NonBlocking = true;
        parentWrote = LabIo.WriteAtMost(toChild.Write, size, Stall);
        childWrote = LabIo.ReadReport(report.Read, Limit).Number("wrote");

        // Give the child a moment to enter its blocking write, then look at where it sleeps.
        char? state = null;
        wchan = "?";
        long deadline = LabIo.Deadline(TimeSpan.FromSeconds(2));
        while (ProcFiles.Available && LabIo.Remaining(deadline) > TimeSpan.Zero)
        {
            state = ProcFiles.State(child);
            wchan = ReadWchan(child);
            if (state == 'S' && wchan != "0")
            {
                break;
            }

            Thread.Sleep(5);
        }

        bool stillRunning = Posix.WaitPid(child, WaitOptions.NoHang) is WaitStatus.StillRunning;
        WaitStatus status = children.Wait(child, TimeSpan.Zero, out bool killed);

        recorder.Measure("deadlockParentWrote", parentWrote, "B", $"the parent wrote before stalling for {Stall.TotalMilliseconds:0} ms");
        recorder.Measure("deadlockChildWrote", childWrote, "B", $"the child wrote before stalling for {Stall.TotalMilliseconds:0} ms");
        recorder.Measure("deadlockChildState", state?.ToString() ?? "?", "the child's state afterwards (/proc/PID/stat)");
        recorder.Measure("deadlockChildWchan", wchan, "where the child sleeps (/proc/PID/wchan)");
        recorder.Measure("deadlockChildKilled", killed && stillRunning, $"the child was still stuck and was killed ({status})");
        recorder.Check("bothStalledAtCapacity", $"both sides stalled after exactly one capacity ({parentWrote} and {childWrote} of {size} B)", parentWrote == capacity && childWrote == capacity);
        recorder.Check("childStuck", $"the child, now in a blocking write, was still running and had to be killed ({status})", stillRunning && killed && status is WaitStatus.Signaled { Signal: var s } && s == Signal.SIGKILL);
        return capacity;
    }

    private static void Fix(Children children, LabRecorder recorder, long capacity, out long parentWrote, out long parentRead)
    {
        long size = 2 * capacity;
        recorder.Step($"3. The fix: the child reads the whole request first, then replies; the same {size} bytes each way.");
        using PipeEnds toChild = Posix.Pipe();
        using PipeEnds toParent = Posix.Pipe();
        Pid child = children.Fork(() =>
        {
            toChild.Write.Dispose();
            toParent.Read.Dispose();
            long got = LabIo.ReadAtMost(toChild.Read, size, Limit);
            toParent.Write.NonBlocking = true;
            long sent = LabIo.WriteAtMost(toParent.Write, got, Limit);
            return got == size && sent == size ? 0 : 1;
        });
        toChild.Read.Dispose();
        toParent.Write.Dispose();

        long start = Stopwatch.GetTimestamp();
        toChild.Write.NonBlocking = true;
        parentWrote = LabIo.WriteAtMost(toChild.Write, size, Limit);
        parentRead = LabIo.ReadAtMost(toParent.Read, size, Limit);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        WaitStatus status = children.Wait(child, Limit);

        recorder.Measure("fixParentWrote", parentWrote, "B", "the parent wrote");
        recorder.Measure("fixParentRead", parentRead, "B", "the parent read back");
        recorder.Measure("fixMilliseconds", ms, "ms", "time for the whole exchange");
        recorder.Check("fixCompletes", $"with the child reading first, {parentWrote} B went out and {parentRead} B came back ({ms:0.##} ms); child {status}", parentWrote == size && parentRead == size && status.IsSuccess);
    }

    private static bool ReadMessage(FileDescriptorHandle fd, byte[] message) =>
        LabIo.ReadExactly(fd, message, Limit) == message.Length;

    private static string ReadWchan(Pid pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/wchan").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
