using System.Globalization;

namespace PosixProcs.Pool;

/// <summary>One message between the pool and its fork server, over their socket pair.</summary>
/// <param name="Op">fork, forked, kill, died, stop.</param>
/// <param name="Slot">The worker slot concerned.</param>
/// <param name="Pid">The worker's pid (forked, kill, died).</param>
/// <param name="Status">How a worker ended (died): "exited CODE" or "signaled NUMBER CORE".</param>
internal sealed record ForkServerMessage(string Op, int Slot, int Pid, string? Status)
{
    public const string ForkOp = "fork";
    public const string ForkedOp = "forked";
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
