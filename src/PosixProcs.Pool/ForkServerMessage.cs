using System.Globalization;

namespace PosixProcs.Pool;

/// <summary>One message between the pool and its fork server, over their socket pair.</summary>
/// <param name="Op">fork, forked, fork-failed, kill, died, stop.</param>
/// <param name="Slot">The worker slot concerned.</param>
/// <param name="Pid">The worker's pid (forked, kill, died).</param>
/// <param name="Status">How a worker ended (died): "exited CODE" or "signaled NUMBER CORE".</param>
/// <param name="Error">Why a fork failed (fork-failed).</param>
internal sealed record ForkServerMessage(string Op, int Slot, int Pid, string? Status, ForkServerError? Error = null)
{
    public const string ForkOp = "fork";
    public const string ForkedOp = "forked";
    public const string ForkFailedOp = "fork-failed";
    public const string KillOp = "kill";
    public const string DiedOp = "died";
    public const string StopOp = "stop";

    public static string Encode(WaitStatus status) => status switch
    {
        WaitStatus.Exited exited => string.Create(CultureInfo.InvariantCulture, $"exited {exited.Code}"),
        WaitStatus.Signaled signaled => string.Create(CultureInfo.InvariantCulture, $"signaled {signaled.Signal.Number} {(signaled.CoreDumped ? 1 : 0)}"),
        _ => throw new ArgumentException($"Only an ended status crosses: {status}", nameof(status)),
    };

    public static WaitStatus Decode(string text)
    {
        string[] parts = text.Split(' ');
        return parts[0] switch
        {
            "exited" => new WaitStatus.Exited(int.Parse(parts[1], CultureInfo.InvariantCulture)),
            "signaled" => new WaitStatus.Signaled(Signal.FromNumber(int.Parse(parts[1], CultureInfo.InvariantCulture)), parts[2] == "1"),
            _ => throw new InvalidDataException($"Not a wait status: {text}"),
        };
    }
}

/// <summary>
/// A failure in the fork server, carried back to the pool as data so that the pool can raise
/// the same exception type the server saw: a <see cref="PosixException"/> keeps its call and
/// errno (<c>fork: EAGAIN</c>), a <see cref="ForkHazardException"/> its hazards.
/// </summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">Its message.</param>
/// <param name="Call">The failed call, when the cause was a system call.</param>
/// <param name="Errno">The errno's portable name (<see cref="PosixErrno"/>), when known.</param>
/// <param name="Hazards">The refused fork's hazards (<see cref="ForkHazards"/> by name), for a guard refusal.</param>
internal sealed record ForkServerError(string Type, string Message, string? Call, string? Errno, string? Hazards)
{
    public static ForkServerError From(Exception exception) => exception switch
    {
        PosixException posix => new(posix.GetType().FullName!, posix.Message, posix.CallName, posix.Errno.ToString(), null),
        ForkHazardException hazard => new(hazard.GetType().FullName!, hazard.Message, null, null, hazard.Hazards.ToString()),

        // (The fork guard reports a /proc it cannot read, EMFILE included, as PosixException.)
        _ => new(exception.GetType().FullName!, exception.Message, null, null, null),
    };

    /// <summary>The exception for the pool's side: the server's own type where it is one of ours, with its errno.</summary>
    public Exception ToException()
    {
        if (Errno is not null && Enum.TryParse(Errno, out PosixErrno errno))
        {
            return new PosixException(Call ?? "fork", errno);
        }

        if (Hazards is not null && Enum.TryParse(Hazards, out ForkHazards hazards))
        {
            return new ForkHazardException(hazards, Message);
        }

        return new ForkServerException($"The fork server could not fork a worker: {Type}: {Message}");
    }
}
