namespace PosixProcs.Runner;

/// <summary>How one job ended, after its last attempt.</summary>
public sealed class JobResult
{
    /// <summary>The job's sequence number (<c>{#}</c>), from 1 in input order.</summary>
    public required long Sequence { get; init; }

    /// <summary>The job slot that ran it (<c>{%}</c>).</summary>
    public required int Slot { get; init; }

    /// <summary>The job's input values, one per input source.</summary>
    public required IReadOnlyList<string> Values { get; init; }

    /// <summary>The command as run: the shell script, or argv shell-quoted so it can be pasted.</summary>
    public required string Command { get; init; }

    /// <summary>When the last attempt started.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>How long the last attempt ran.</summary>
    public required TimeSpan Runtime { get; init; }

    /// <summary>How the process ended; <c>null</c> if it could not be started (see <see cref="StartError"/>).</summary>
    public WaitStatus? Status { get; init; }

    /// <summary>Why the program could not be started (<c>spawn x: ENOENT ...</c>); <c>null</c> if it was.</summary>
    public string? StartError { get; init; }

    /// <summary>Whether the last attempt was ended because it ran past the timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Attempts made (1 plus retries used).</summary>
    public required int Attempts { get; init; }

    /// <summary>The last attempt's stdout, when output is captured (group and JSON modes); empty in line-buffer mode.</summary>
    public ReadOnlyMemory<byte> StandardOutput { get; init; }

    /// <summary>The last attempt's stderr, when output is captured.</summary>
    public ReadOnlyMemory<byte> StandardError { get; init; }

    /// <summary>Bytes the last attempt wrote to stdout (all modes).</summary>
    public long StandardOutputBytes { get; init; }

    /// <summary>Whether the job exited with 0 in time.</summary>
    public bool Succeeded => !TimedOut && Status is WaitStatus.Exited { Code: 0 };

    /// <summary>The exit code, GNU parallel's joblog Exitval: the code; 127 if it could not start; -1 if it timed out; 0 if a signal ended it.</summary>
    public int ExitValue => TimedOut ? -1 : Status switch
    {
        WaitStatus.Exited exited => exited.Code,
        null => 127,
        _ => 0,
    };

    /// <summary>The signal that ended it, or <c>null</c>.</summary>
    public Signal? Signal => Status is WaitStatus.Signaled signaled ? signaled.Signal : null;

    /// <summary>A shell-style status for this job alone: the exit code, or 128 + the signal's number.</summary>
    public int ShellStatus => Status switch
    {
        WaitStatus.Exited exited => exited.Code,
        WaitStatus.Signaled signaled => 128 + signaled.Signal.Number,
        _ => 127,
    };
}
