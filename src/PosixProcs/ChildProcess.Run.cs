using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace PosixProcs;

public sealed partial class ChildProcess
{
    /// <summary>How many of its last stderr lines <see cref="RunLinesAsync"/> keeps for <see cref="NonZeroExitException"/>.</summary>
    public const int StandardErrorTailLines = 20;

    /// <summary>Lines read ahead of a slow consumer of <see cref="RunLinesAsync"/>; past that the program waits on its pipe.</summary>
    private const int LineBufferCapacity = 1024;

    /// <summary>
    /// Runs a program to its end and returns its exit status, stdout and stderr, duration and
    /// peak memory: the everyday call. Built on <see cref="Spawn"/> (argv as given, no shell),
    /// with the program in a process group of its own, stdin fed from
    /// <see cref="RunOptions.Input"/>, and both outputs read at once on the shared reactor
    /// thread, so a program that fills one pipe while this reads the other never deadlocks.
    /// The run is over when the program has exited AND both outputs are at end-of-file: a
    /// background process that keeps them open is waited for (or ended by the timeout).
    /// </summary>
    /// <param name="program">A path, or a bare name looked up in PATH.</param>
    /// <param name="arguments">The arguments after argv[0].</param>
    /// <param name="options">Input, timeout, grace period, environment, encoding; default <see cref="RunOptions"/>.</param>
    /// <param name="cancellationToken">Ends the program's whole process group (SIGTERM, grace period, SIGKILL) and throws.</param>
    /// <returns>The result; when the program failed and <see cref="RunOptions.ThrowOnNonZeroExit"/> is false, too.</returns>
    /// <exception cref="SpawnException">The program could not be started.</exception>
    /// <exception cref="NonZeroExitException">It did not exit with code 0 (and ThrowOnNonZeroExit is true).</exception>
    /// <exception cref="TimeoutException">It ran past <see cref="RunOptions.Timeout"/>; its group has been ended.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; its group has been ended.</exception>
    public static Task<RunResult> RunAsync(string program, IEnumerable<string> arguments, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= new RunOptions();
        options.Validate();
        return RunCoreAsync(program, arguments, options, ReadBothToEndAsync, cancellationToken);
    }

    /// <summary>
    /// Runs a program and streams its stdout and stderr lines while it runs, in the order each
    /// stream produced them (the two are read at once, so their relative order is only as
    /// close as the pipes allow). Everything else is as in <see cref="RunAsync"/>: own process
    /// group, input, timeout, cancellation. A consumer that stops early (break, an exception)
    /// ends the program's group (SIGTERM, grace period, SIGKILL) before the loop is left.
    /// The enumeration ends once the program has exited and both outputs are at end-of-file;
    /// then, if it failed and <see cref="RunOptions.ThrowOnNonZeroExit"/> is true, it throws
    /// <see cref="NonZeroExitException"/>, whose result carries the last stderr lines. With
    /// ThrowOnNonZeroExit false a failure is not reported: use <see cref="RunAsync"/> for the status.
    /// </summary>
    /// <param name="program">A path, or a bare name looked up in PATH.</param>
    /// <param name="arguments">The arguments after argv[0].</param>
    /// <param name="options">Input, timeout, grace period, environment, encoding.</param>
    /// <param name="cancellationToken">Ends the program's group and throws.</param>
    /// <returns>The lines; the program starts when the enumeration does.</returns>
    /// <exception cref="SpawnException">The program could not be started.</exception>
    /// <exception cref="NonZeroExitException">It did not exit with code 0 (and ThrowOnNonZeroExit is true).</exception>
    /// <exception cref="TimeoutException">It ran past <see cref="RunOptions.Timeout"/>; its group has been ended.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; its group has been ended.</exception>
    public static IAsyncEnumerable<OutputLine> RunLinesAsync(string program, IEnumerable<string> arguments, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        options ??= new RunOptions();
        options.Validate();
        return RunLinesCoreAsync(program, arguments.ToList(), options, cancellationToken);
    }

    private static async IAsyncEnumerable<OutputLine> RunLinesCoreAsync(string program, List<string> arguments, RunOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = System.Threading.Channels.Channel.CreateBounded<OutputLine>(new BoundedChannelOptions(LineBufferCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        // Cancelled when the consumer leaves early: the run then ends the group as for a cancelled token.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<RunResult> run = RunCoreAsync(program, arguments, options, (stdout, stderr, encoding, abandon) => PumpLinesAsync(stdout, stderr, encoding, lines.Writer, abandon), stop.Token);
        try
        {
            // Not cancelled by the token: the run completes the channel when it ends, however it ends.
            await foreach (OutputLine line in lines.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return line;
            }

            await run.ConfigureAwait(false);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await run.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or NonZeroExitException)
                {
                    // The consumer stopped: the group has been ended, as asked, and how the
                    // program ended (perhaps on its own, just before) is no longer its question.
                }
            }
        }
    }

    /// <summary>Reads both outputs at once; returns when both are at end-of-file.</summary>
    private delegate Task<(string StandardOutput, string StandardError)> OutputDrain(FileDescriptorStream stdout, FileDescriptorStream stderr, Encoding encoding, CancellationToken abandon);

    private static async Task<RunResult> RunCoreAsync(string program, IEnumerable<string> arguments, RunOptions options, OutputDrain drain, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        using ChildProcess child = Spawn(program, arguments, new SpawnOptions
        {
            StandardInput = options.Input is RunInput.NoneInput ? StdioRedirect.Null : StdioRedirect.Pipe,
            StandardOutput = StdioRedirect.Pipe,
            StandardError = StdioRedirect.Pipe,
            Environment = options.Environment,
            WorkingDirectory = options.WorkingDirectory,
            NewProcessGroup = true,
        });

        // Stops the pumps once the run is over or given up; the deadline ends the group.
        using var abandon = new CancellationTokenSource();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout is { } timeout)
        {
            deadline.CancelAfter(timeout);
        }

        Task feed = FeedInputAsync(child.StandardInput, options, abandon.Token);
        Task<(string StandardOutput, string StandardError)> output = drain(child.StandardOutput!, child.StandardError!, options.Encoding, abandon.Token);
        try
        {
            // Ended without being reaped (where a pidfd tells): the zombie holds the group id
            // until the group can no longer need a signal.
            await WhenAllOrFirstFault([output, child.WhenEndedAsync(deadline.Token)], deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await EndGroupAsync(child, options.GracePeriod).ConfigureAwait(false);
            await abandon.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(Quietly(feed), Quietly(output)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{program}' (pid {child.Pid}) ran longer than {options.Timeout}; its process group has been ended.");
        }
        catch
        {
            // A pump failed: leave nothing of the group running.
            child.TrySignalGroup(PosixProcs.Signal.SIGKILL);
            await abandon.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(Quietly(feed), Quietly(output)).ConfigureAwait(false);
            throw;
        }

        WaitStatus status = await child.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        clock.Stop();

        // The program has exited and closed its outputs: input it did not read is not needed.
        await abandon.CancelAsync().ConfigureAwait(false);
        try
        {
            await feed.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
        }

        (string stdout, string stderr) = await output.ConfigureAwait(false);
        var result = new RunResult
        {
            Pid = child.Pid,
            Status = status,
            StandardOutput = stdout,
            StandardError = stderr,
            Duration = clock.Elapsed,
            ResourceUsage = child.ResourceUsage!,
        };
        return options.ThrowOnNonZeroExit && !status.IsSuccess ? throw new NonZeroExitException(program, result) : result;
    }

    /// <summary>SIGTERM to the group, up to <paramref name="gracePeriod"/> for the program to exit, SIGKILL to what is left, reap.</summary>
    private static async Task EndGroupAsync(ChildProcess child, TimeSpan gracePeriod)
    {
        child.TrySignalGroup(PosixProcs.Signal.SIGTERM);
        using (var grace = new CancellationTokenSource(gracePeriod))
        {
            try
            {
                await child.WhenEndedAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested)
            {
            }
        }

        // The leader is not reaped yet (a zombie at most) where a pidfd told of its end, so the
        // group id still names this group. Without a pidfd (macOS) it has been reaped: members
        // that outlived it cannot be signalled safely and are left alone.
        child.TrySignalGroup(PosixProcs.Signal.SIGKILL);
        await child.WaitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Writes the input, then closes stdin. A program that exits (or closes stdin) before reading it all ends the feed quietly.</summary>
    private static async Task FeedInputAsync(FileDescriptorStream? stdin, RunOptions options, CancellationToken abandon)
    {
        if (stdin is null)
        {
            return;
        }

        try
        {
            switch (options.Input)
            {
                case RunInput.TextInput text:
                    await stdin.WriteAsync((text.Encoding ?? options.Encoding).GetBytes(text.Text), abandon).ConfigureAwait(false);
                    break;
                case RunInput.BytesInput bytes:
                    await stdin.WriteAsync(bytes.Bytes, abandon).ConfigureAwait(false);
                    break;
                case RunInput.StreamInput stream:
                    await stream.Stream.CopyToAsync(stdin, abandon).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Input, "Unknown input.");
            }
        }
        catch (PosixException ex) when (ex.Errno == PosixErrno.EPIPE)
        {
            // The program closed its stdin: the rest of the input is not wanted.
        }
        finally
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<(string StandardOutput, string StandardError)> ReadBothToEndAsync(FileDescriptorStream stdout, FileDescriptorStream stderr, Encoding encoding, CancellationToken abandon)
    {
        Task<MemoryStream> outTask = ReadToEndAsync(stdout, abandon);
        Task<MemoryStream> errTask = ReadToEndAsync(stderr, abandon);
        await WhenAllOrFirstFault([outTask, errTask], CancellationToken.None).ConfigureAwait(false);
        using MemoryStream outBytes = await outTask.ConfigureAwait(false);
        using MemoryStream errBytes = await errTask.ConfigureAwait(false);

        // Decoded once at the end, so a character split between two reads stays whole.
        return (encoding.GetString(outBytes.GetBuffer(), 0, (int)outBytes.Length), encoding.GetString(errBytes.GetBuffer(), 0, (int)errBytes.Length));
    }

    private static async Task<MemoryStream> ReadToEndAsync(FileDescriptorStream source, CancellationToken abandon)
    {
        var bytes = new MemoryStream();
        await source.CopyToAsync(bytes, abandon).ConfigureAwait(false);
        return bytes;
    }

    private static async Task<(string StandardOutput, string StandardError)> PumpLinesAsync(
        FileDescriptorStream stdout, FileDescriptorStream stderr, Encoding encoding, ChannelWriter<OutputLine> lines, CancellationToken abandon)
    {
        var tail = new Queue<string>();
        try
        {
            await WhenAllOrFirstFault(
                [PumpAsync(stdout, OutputSource.StandardOutput, null), PumpAsync(stderr, OutputSource.StandardError, tail)],
                CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Completed without an error however the pumps end: the consumer then awaits the
            // run, which carries the error that matters (timeout, cancellation, a failed read).
            lines.TryComplete();
        }

        lock (tail)
        {
            return (string.Empty, tail.Count == 0 ? string.Empty : string.Join('\n', tail) + "\n");
        }

        async Task PumpAsync(FileDescriptorStream source, OutputSource kind, Queue<string>? keep)
        {
            using var reader = new StreamReader(source, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            while (await reader.ReadLineAsync(abandon).ConfigureAwait(false) is { } text)
            {
                if (keep is not null)
                {
                    lock (keep)
                    {
                        keep.Enqueue(text);
                        if (keep.Count > StandardErrorTailLines)
                        {
                            keep.Dequeue();
                        }
                    }
                }

                await lines.WriteAsync(new OutputLine(kind, text), abandon).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for every task, but throws as soon as one fails (or <paramref name="cancellationToken"/> is cancelled), not when the last one ends.</summary>
    private static async Task WhenAllOrFirstFault(List<Task> tasks, CancellationToken cancellationToken)
    {
        while (tasks.Count > 0)
        {
            Task done = await Task.WhenAny(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
            await done.ConfigureAwait(false);
            tasks.Remove(done);
        }
    }

    /// <summary>
    /// Awaits a task that has been given up on (a pump or the input feed after a timeout, a
    /// cancellation or another failure): its outcome no longer matters, and must not hide the
    /// exception the run throws instead.
    /// </summary>
    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the abandoned task failed with is superseded by the run's own exception.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
