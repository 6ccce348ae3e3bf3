namespace PosixProcs;

/// <summary>What a forked child's delegate gets: its ends of the pipes and the channel the parent asked for.</summary>
public sealed class ChildContext
{
    internal ChildContext(Pid parent, FileDescriptorStream? input, FileDescriptorStream? output, DuplexChannel? channel)
    {
        Parent = parent;
        Input = input;
        Output = output;
        Channel = channel;
    }

    /// <summary>The parent's pid at the time of the fork.</summary>
    public Pid Parent { get; }

    /// <summary>Reads what the parent writes to <see cref="ChildProcess.StandardInput"/> (with <see cref="ForkOptions.InputPipe"/>).</summary>
    public FileDescriptorStream? Input { get; }

    /// <summary>Writes what the parent reads from <see cref="ChildProcess.StandardOutput"/> (with <see cref="ForkOptions.OutputPipe"/>).</summary>
    public FileDescriptorStream? Output { get; }

    /// <summary>The child's end of the duplex channel (with <see cref="ForkOptions.Channel"/>).</summary>
    public DuplexChannel? Channel { get; }
}
