using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace PosixProcs.Runner;

/// <summary>
/// Runs a <see cref="CommandTemplate"/> once per input, <see cref="RunnerOptions.Jobs"/> at a
/// time: GNU parallel and <c>xargs -P</c> as a library. Each job is spawned (fork+exec in C,
/// <see cref="ChildProcess.Spawn"/>) in a new process group with stdin on /dev/null and its
/// stdout and stderr on pipes; waits and reads are asynchronous on the shared reactor
/// thread, so no thread is made or parked per job. Output is delivered per
/// <see cref="RunnerOptions.Output"/>; timeouts, halts and interrupts end a job's whole group
/// (SIGTERM, grace, SIGKILL), and every child is reaped before <see cref="RunAsync"/> returns.
/// </summary>
public sealed class ParallelRunner : IDisposable
{
    private readonly CommandTemplate _template;
    private readonly RunnerOptions _options;
    private readonly Lock _gate = new();
    private readonly HashSet<RunningJob> _running = [];
    private readonly Dictionary<string, string> _resolvedPrograms = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Stack<int> _freeSlots = new();
    private OutputDelivery? _output;
    private JobLog? _jobLog;
    private long _started;
    private long _succeeded;
    private long _failed;
    private JobResult? _haltedBy;
    private Signal? _interruptedBy;
    private Signal? _endSignal; // sent to any job that starts after the run began to stop
    private Exception? _jobFailure; // a job's own machinery failed (not the job): the run ends and rethrows it
    private FileDescriptorHandle? _devNull;
    private int _runs;

    /// <summary>Creates a runner; <see cref="RunAsync"/> runs it once.</summary>
    /// <param name="template">The command.</param>
    /// <param name="options">How to run; defaults if <c>null</c>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ParallelRunner(CommandTemplate template, RunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        _options = options ?? new RunnerOptions();
        _options.Validate();
        _template = template;
        for (int slot = _options.Jobs; slot >= 1; slot--)
        {
            _freeSlots.Push(slot);
        }
    }

    /// <summary>
    /// Runs one job per input and returns when every job has ended and been reaped. Inputs are
    /// read on one background thread as slots free up, so a slow stdin does not hold jobs back.
    /// </summary>
    /// <param name="inputs">One list of values per job (see <see cref="InputSource.Combine"/>).</param>
    /// <param name="cancellationToken">Stops the run: no new jobs, running ones ended as by <see cref="Interrupt"/> with SIGTERM; then throws.</param>
    /// <returns>The counts and the exit status.</returns>
    /// <exception cref="ArgumentException">An input has fewer values than a positional placeholder needs.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (after every job ended).</exception>
    /// <exception cref="InvalidOperationException">The runner has run already.</exception>
    public async Task<RunSummary> RunAsync(IEnumerable<IReadOnlyList<string>> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (Interlocked.Exchange(ref _runs, 1) != 0)
        {
            throw new InvalidOperationException("A ParallelRunner runs once; create another for another run.");
        }

        _output = new OutputDelivery(
            _options.StandardOutput ?? Console.OpenStandardOutput(),
            _options.StandardError ?? Console.OpenStandardError(),
            _options.Output,
            _options.KeepOrder);
        _jobLog = _options.JobLogPath is { } path ? new JobLog(path) : null;

        // Every job's stdin; opened once per run rather than once per job.
        using Microsoft.Win32.SafeHandles.SafeFileHandle devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
        _devNull = new FileDescriptorHandle((int)devNull.DangerousGetHandle(), ownsHandle: false);
        using CancellationTokenRegistration onCancel = cancellationToken.Register(() => Stop(Signal.SIGTERM, countAsInterrupt: false));
        var slots = new SemaphoreSlim(_options.Jobs, _options.Jobs);
        var feed = Channel.CreateBounded<IReadOnlyList<string>>(new BoundedChannelOptions(Math.Max(16, _options.Jobs * 2)) { SingleReader = true, SingleWriter = true });
        Task feeder = Task.Factory.StartNew(() => Feed(inputs, feed.Writer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Exception? failure = null;
        try
        {
            long sequence = 0;
            while (!_stop.IsCancellationRequested && await feed.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (!_stop.IsCancellationRequested && feed.Reader.TryRead(out IReadOnlyList<string>? values))
                {
                    if (_template.HighestSource > values.Count)
                    {
                        throw new ArgumentException($"The command uses input source {_template.HighestSource}, but the input has {values.Count}.", nameof(inputs));
                    }

                    await slots.WaitAsync(_stop.Token).ConfigureAwait(false);
                    if (_stop.IsCancellationRequested)
                    {
                        // SemaphoreSlim may grant a waiter whose token was cancelled when a
                        // release races the cancellation: a halt must still start nothing more.
                        slots.Release();
                        break;
                    }

                    int slot;
                    lock (_gate)
                    {
                        slot = _freeSlots.Pop();
                        _started++;
                    }

                    _ = RunJobAsync(++sequence, values, slot, slots);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Halted or interrupted: start nothing more.
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or ChannelClosedException)
        {
            failure = ex;
            Stop(Signal.SIGTERM, countAsInterrupt: false);
        }
        finally
        {
            for (int i = 0; i < _options.Jobs; i++)
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            slots.Dispose();
            _jobLog?.Dispose();
            _devNull.Dispose();
        }

        failure ??= _jobFailure;

        if (failure is not null)
        {
            // An input file could not be read, say: the run is broken, not merely failed.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure is ChannelClosedException { InnerException: { } inner } ? inner : failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        _ = feeder; // an input thread blocked on a stdin that never ends is abandoned: it is a background thread
        lock (_gate)
        {
            return new RunSummary
            {
                Started = _started,
                Succeeded = _succeeded,
                Failed = _failed,
                HaltedBy = _haltedBy,
                Halt = _haltedBy is null ? null : _options.Halt,
                InterruptedBy = _interruptedBy,
            };
        }
    }

    /// <summary>
    /// Forwards <paramref name="signal"/> to every running job's process group and starts no
    /// new job; what is left of each group once its leader has exited, or after
    /// <see cref="RunnerOptions.TerminationGrace"/>, gets SIGKILL. <see cref="RunAsync"/> then returns with exit status 128 + the signal's number.
    /// For Ctrl-C and SIGTERM handlers (PosixSignalRegistration).
    /// </summary>
    /// <param name="signal">The signal to forward.</param>
    public void Interrupt(Signal signal) => Stop(signal, countAsInterrupt: true);

    /// <summary>Releases the runner's cancellation source; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _stop.Dispose();

    private void Stop(Signal signal, bool countAsInterrupt)
    {
        RunningJob[] running;
        lock (_gate)
        {
            if (countAsInterrupt)
            {
                _interruptedBy ??= signal;
            }

            _endSignal ??= signal;
            running = [.. _running];
        }

        _stop.Cancel();
        foreach (RunningJob job in running)
        {
            job.End(signal, _options.TerminationGrace);
        }
    }

    private void Feed(IEnumerable<IReadOnlyList<string>> inputs, ChannelWriter<IReadOnlyList<string>> writer)
    {
        try
        {
            foreach (IReadOnlyList<string> values in inputs)
            {
                while (!writer.TryWrite(values))
                {
                    if (!writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }

                if (_stop.IsCancellationRequested)
                {
                    break;
                }
            }

            writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            writer.TryComplete(ex);
        }
    }

    private async Task RunJobAsync(long sequence, IReadOnlyList<string> values, int slot, SemaphoreSlim slots)
    {
        try
        {
            JobResult result;
            int attempt = 1;
            while (true)
            {
                result = await RunAttemptAsync(sequence, values, slot, attempt).ConfigureAwait(false);
                if (result.Succeeded || attempt > _options.Retries || _stop.IsCancellationRequested)
                {
                    break;
                }

                attempt++;
            }

            Finish(result);
        }
        catch (Exception ex) when (ex is PosixException or IOException or ArgumentException or InvalidOperationException)
        {
            // Not the job failing (that is a result) but the runner: a pipe or spawn step
            // (EMFILE, EAGAIN), the job log's disk, or a JobCompleted callback. Stop and report.
            lock (_gate)
            {
                _jobFailure ??= ex;
            }

            Stop(Signal.SIGTERM, countAsInterrupt: false);
        }
        finally
        {
            lock (_gate)
            {
                _freeSlots.Push(slot);
            }

            slots.Release();
        }
    }

    private void Finish(JobResult result)
    {
        bool haltNow = false;
        lock (_gate)
        {
            if (result.Succeeded)
            {
                _succeeded++;
            }
            else
            {
                _failed++;
            }

            if (_haltedBy is null && _interruptedBy is null && _options.Halt.IsReached(_failed, _succeeded)
                && (_options.Halt.Condition == HaltCondition.Done || result.Succeeded == (_options.Halt.Condition == HaltCondition.Success)))
            {
                _haltedBy = result;
                haltNow = _options.Halt.Timing == HaltTiming.Now;
            }
        }

        _output!.Deliver(result);
        _jobLog?.Write(result);
        if (_haltedBy == result)
        {
            if (haltNow)
            {
                Stop(Signal.SIGTERM, countAsInterrupt: false);
            }
            else
            {
                _stop.Cancel();
            }
        }

        _options.JobCompleted?.Invoke(result);
    }

    private async Task<JobResult> RunAttemptAsync(long sequence, IReadOnlyList<string> values, int slot, int attempt)
    {
        IReadOnlyList<string> argv = _options.UseShell
            ? [_options.ShellPath, "-c", _template.ExpandShell(values, sequence, slot)]
            : _template.ExpandArguments(values, sequence, slot);
        string command = _options.UseShell ? argv[2] : ShellQuoting.Join(argv);
        DateTimeOffset startTime = DateTimeOffset.UtcNow;
        long started = Stopwatch.GetTimestamp();
        ChildProcess child;
        try
        {
            child = ChildProcess.Spawn(ResolveProgram(argv[0]), argv.Skip(1), new SpawnOptions
            {
                StandardInput = StdioRedirect.Descriptor(_devNull!),
                StandardOutput = StdioRedirect.Pipe,
                StandardError = StdioRedirect.Pipe,
                NewProcessGroup = true,
                Environment = new Dictionary<string, string?>
                {
                    ["PARALLEL_SEQ"] = sequence.ToString(CultureInfo.InvariantCulture),
                    ["PARALLEL_JOBSLOT"] = slot.ToString(CultureInfo.InvariantCulture),
                },
            });
        }
        catch (SpawnException ex)
        {
            byte[] message = System.Text.Encoding.UTF8.GetBytes($"posixprocs run: {ex.Message}\n");
            if (_options.Output == OutputMode.LineBuffer)
            {
                _output!.WriteLines(toStandardError: true, message);
            }

            return new JobResult
            {
                Sequence = sequence,
                Slot = slot,
                Values = values,
                Command = command,
                StartTime = startTime,
                Runtime = Stopwatch.GetElapsedTime(started),
                StartError = ex.Message,
                Attempts = attempt,
                StandardError = _options.Output == OutputMode.LineBuffer ? ReadOnlyMemory<byte>.Empty : message,
            };
        }

        using (child)
        {
            Task<WaitStatus> exited = child.WaitAsync();
            var job = new RunningJob(child, exited);
            Signal? endNow;
            lock (_gate)
            {
                _running.Add(job);
                endNow = _endSignal;
            }

            try
            {
                OutputDelivery? lines = _options.Output == OutputMode.LineBuffer ? _output : null;
                var stdout = new OutputCapture(child.StandardOutput!, lines, isStandardError: false);
                var stderr = new OutputCapture(child.StandardError!, lines, isStandardError: true);
                using var exitedSource = new CancellationTokenSource();
                Task pumps = Task.WhenAll(stdout.PumpAsync(exitedSource.Token), stderr.PumpAsync(exitedSource.Token));
                if (endNow is { } signal)
                {
                    // The run began to stop while this job was being started.
                    job.End(signal, _options.TerminationGrace);
                }

                bool timedOut = false;
                if (_options.Timeout is { } timeout && !exited.IsCompleted)
                {
                    using var timer = new CancellationTokenSource();
                    Task expiry = Task.Delay(timeout, timer.Token);
                    if (await Task.WhenAny(exited, expiry).ConfigureAwait(false) == expiry)
                    {
                        timedOut = true;
                        job.End(Signal.SIGTERM, _options.TerminationGrace);
                    }

                    await timer.CancelAsync().ConfigureAwait(false);
                }

                WaitStatus status = await exited.ConfigureAwait(false);
                if (job.Ending is { } ending)
                {
                    await ending.ConfigureAwait(false); // the group's last SIGKILL, before the job counts as over
                }

                if (!pumps.IsCompleted)
                {
                    await exitedSource.CancelAsync().ConfigureAwait(false);
                }

                await pumps.ConfigureAwait(false);
                return new JobResult
                {
                    Sequence = sequence,
                    Slot = slot,
                    Values = values,
                    Command = command,
                    StartTime = startTime,
                    Runtime = Stopwatch.GetElapsedTime(started),
                    Status = status,
                    TimedOut = timedOut,
                    Attempts = attempt,
                    StandardOutput = stdout.Kept,
                    StandardError = stderr.Kept,
                    StandardOutputBytes = stdout.ByteCount,
                };
            }
            finally
            {
                lock (_gate)
                {
                    _running.Remove(job);
                }
            }
        }
    }

    /// <summary>A bare program name is looked up in PATH once per run, not once per job.</summary>
    private string ResolveProgram(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        lock (_gate)
        {
            if (_resolvedPrograms.TryGetValue(program, out string? path))
            {
                return path;
            }
        }

        string resolved = ProgramPath.Resolve(program);
        lock (_gate)
        {
            _resolvedPrograms[program] = resolved;
        }

        return resolved;
    }
}
