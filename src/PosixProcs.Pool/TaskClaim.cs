using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// The start word of one worker slot, in the pool's shared region: how a task queued in a
/// worker's ring can be taken back before it starts (to cancel it, or to give it to an idle
/// worker) without a round trip and without a race.
/// </summary>
/// <remarks>
/// <para>The dispatcher numbers the tasks it writes to a worker's ring 1, 2, 3...
/// (<see cref="WorkerSlot.SentSequence"/>). The word holds the number of the last task the
/// worker started, or a number the dispatcher moved it to.</para>
/// <para>Worker: before running task <c>n</c> it swaps the word from <c>n-1</c> to <c>n</c>
/// (compare-exchange). If the word is no longer <c>n-1</c>, the task was taken back: the
/// worker drops it unanswered.</para>
/// <para>Dispatcher: to take back every task not started, it swaps the word from its current
/// value <c>c</c> (the running task) to the last number sent. Tasks <c>c+1</c>.. are then
/// dropped by the worker, and the next task sent (last + 1) is claimed normally. Both sides
/// use one compare-exchange on one word, so a task is either started or taken back, never both.</para>
/// <para>The words sit at the end of the region, one per slot, <see cref="Stride"/> bytes apart
/// (their own cache lines), counted from the end so a spawned worker finds its word from the
/// region's length and its slot alone.</para>
/// </remarks>
internal sealed class TaskClaim
{
    /// <summary>Bytes per slot: two cache lines, so adjacent slots' words never share a prefetch pair.</summary>
    public const int Stride = 128;

    private readonly SharedValue<long> _started;

    public TaskClaim(SharedMemoryRegion region, int slot) =>
        _started = new SharedValue<long>(region, region.Length - ((slot + 1L) * Stride));

    /// <summary>Bytes the words of <paramref name="workers"/> slots take at the end of the region.</summary>
    public static long RegionBytes(int workers) => (long)workers * Stride;

    /// <summary>The number of the last task the worker started (or that was taken back).</summary>
    public long Started => _started.Read();

    /// <summary>Dispatcher, before a new worker starts on the slot: nothing started yet.</summary>
    public void Reset() => _started.Exchange(0);

    /// <summary>Worker: claims task <paramref name="sequence"/>; false if the dispatcher took it back.</summary>
    public bool TryStart(long sequence) => _started.CompareExchange(sequence, sequence - 1) == sequence - 1;

    /// <summary>
    /// Dispatcher: takes back every task after the one started. Returns the number of the last
    /// task started; tasks after it, up to <paramref name="lastSent"/>, will not run.
    /// </summary>
    public long TakeBackUnstarted(long lastSent)
    {
        while (true)
        {
            long started = _started.Read();
            if (started >= lastSent || _started.CompareExchange(lastSent, started) == started)
            {
                return started;
            }
        }
    }
}
