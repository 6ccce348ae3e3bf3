namespace PosixProcs.Stress;

/// <summary>
/// How a helper process (killer, signal sender) learns to stop: the case closes the helper's
/// standard input. Waiting on it doubles as the helper's sleep between rounds, and a case
/// that dies closes it too, so a helper never outlives its case for long.
/// </summary>
internal static class StopSignal
{
    private static readonly FileDescriptorHandle StandardInput = new(0, ownsHandle: false);

    /// <summary>Waits up to <paramref name="pause"/>; true once the case has closed our input.</summary>
    public static bool WaitOrStop(TimeSpan pause) => Posix.Poll(StandardInput, PollEvents.In, pause) != PollEvents.None;
}
