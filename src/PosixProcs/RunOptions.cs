using System.Text;

namespace PosixProcs;

/// <summary>How <see cref="ChildProcess.RunAsync"/> and <see cref="ChildProcess.RunLinesAsync"/> run a program. Every property has a safe default.</summary>
public sealed class RunOptions
{
    /// <summary>What the program reads on stdin. Default <see cref="RunInput.None"/> (/dev/null).</summary>
    public RunInput Input { get; init; } = RunInput.None;

    /// <summary>
    /// How long the program may run, output included; then its process group is ended
    /// (SIGTERM, <see cref="GracePeriod"/>, SIGKILL) and a <see cref="TimeoutException"/> thrown.
    /// Default <c>null</c>: no limit.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// After SIGTERM to the group (timeout, cancellation, a consumer that stopped reading lines),
    /// how long to wait for the program to exit before SIGKILL ends what is left of the group.
    /// Default 2 seconds.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Throw <see cref="NonZeroExitException"/> when the program does not exit with code 0. Default true.</summary>
    public bool ThrowOnNonZeroExit { get; init; } = true;

    /// <summary>Changes to this process's environment for the program: a <c>null</c> value removes a variable. Default none.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The program's working directory. Default this process's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How output is decoded and text input encoded. Default UTF-8 (no byte-order mark).</summary>
    public Encoding Encoding { get; init; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Throws ArgumentException for values no run can use, before anything starts.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Input, nameof(Input));
        ArgumentNullException.ThrowIfNull(Environment, nameof(Environment));
        ArgumentNullException.ThrowIfNull(Encoding, nameof(Encoding));
        if (Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(Timeout));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(GracePeriod, TimeSpan.Zero, nameof(GracePeriod));
    }
}
