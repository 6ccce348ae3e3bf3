namespace PosixProcs;

/// <summary>Where one of a spawned child's standard streams goes.</summary>
public abstract record StdioRedirect
{
    private StdioRedirect()
    {
    }

    /// <summary>The child shares this process's stream.</summary>
    public static StdioRedirect Inherit { get; } = new InheritRedirect();

    /// <summary>The child reads end-of-file / its output is discarded (/dev/null).</summary>
    public static StdioRedirect Null { get; } = new NullRedirect();

    /// <summary>A pipe: the parent gets a <see cref="FileDescriptorStream"/> on <see cref="ChildProcess"/>.</summary>
    public static StdioRedirect Pipe { get; } = new PipeRedirect();

    /// <summary>
    /// The pseudo-terminal that <see cref="SpawnOptions.Terminal"/> creates: the program sees a
    /// real tty on this stream; the parent talks to it through <see cref="ChildProcess.Terminal"/>.
    /// </summary>
    public static StdioRedirect Terminal { get; } = new TerminalRedirect();

    /// <summary>An open descriptor of this process (a file, a socket, a pipe end).</summary>
    /// <param name="descriptor">The descriptor; it stays owned by the caller.</param>
    /// <returns>The target.</returns>
    public static StdioRedirect Descriptor(FileDescriptorHandle descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new DescriptorRedirect(descriptor);
    }

    internal sealed record InheritRedirect : StdioRedirect;

    internal sealed record NullRedirect : StdioRedirect;

    internal sealed record PipeRedirect : StdioRedirect;

    internal sealed record TerminalRedirect : StdioRedirect;

    internal sealed record DescriptorRedirect(FileDescriptorHandle Handle) : StdioRedirect;
}
