using System.Text;

namespace PosixProcs;

/// <summary>What <see cref="ChildProcess.RunAsync"/> feeds to the program's standard input; it is closed afterwards, so the program sees end-of-file.</summary>
public abstract record RunInput
{
    private RunInput()
    {
    }

    /// <summary>No input: the program's stdin is /dev/null. The default.</summary>
    public static RunInput None { get; } = new NoneInput();

    /// <summary>Text, encoded with <paramref name="encoding"/> (default <see cref="RunOptions.Encoding"/>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="encoding">How to encode it; <c>null</c> for the run's encoding.</param>
    /// <returns>The input.</returns>
    public static RunInput FromText(string text, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TextInput(text, encoding);
    }

    /// <summary>Bytes, written as they are.</summary>
    /// <param name="bytes">The bytes; not copied, so leave them unchanged until the run ends.</param>
    /// <returns>The input.</returns>
    public static RunInput FromBytes(ReadOnlyMemory<byte> bytes) => new BytesInput(bytes);

    /// <summary>A stream, read to its end while the program runs (never seeked, never disposed).</summary>
    /// <param name="stream">A readable stream; it stays the caller's.</param>
    /// <returns>The input.</returns>
    public static RunInput FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        return new StreamInput(stream);
    }

    internal sealed record NoneInput : RunInput;

    internal sealed record TextInput(string Text, Encoding? Encoding) : RunInput;

    internal sealed record BytesInput(ReadOnlyMemory<byte> Bytes) : RunInput;

    internal sealed record StreamInput(Stream Stream) : RunInput;
}
