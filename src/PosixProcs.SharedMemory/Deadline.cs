using System.Diagnostics;

namespace PosixProcs.SharedMemory;

/// <summary>A point in time a wait must not pass, on the monotonic clock; or never.</summary>
internal readonly struct Deadline
{
    private readonly long _endTimestamp;

    private Deadline(long endTimestamp) => _endTimestamp = endTimestamp;

    /// <summary>Whether the wait may last for ever.</summary>
    public bool IsInfinite => _endTimestamp == long.MaxValue;

    /// <summary>The time left, zero once passed; <see cref="Timeout.InfiniteTimeSpan"/> when infinite.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite)
            {
                return Timeout.InfiniteTimeSpan;
            }

            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _endTimestamp);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Whether the time is up.</summary>
    public bool HasPassed => !IsInfinite && Stopwatch.GetTimestamp() >= _endTimestamp;

    /// <summary>The deadline <paramref name="timeout"/> from now.</summary>
    /// <param name="timeout">Zero or more, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="parameterName">The caller's parameter, for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not infinite.</exception>
    public static Deadline After(TimeSpan timeout, string parameterName = "timeout")
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return new Deadline(long.MaxValue);
        }

        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        // In floating point, so that TimeSpan.MaxValue saturates instead of overflowing.
        double ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        long now = Stopwatch.GetTimestamp();
        return new Deadline(ticks >= long.MaxValue - now ? long.MaxValue - 1 : now + (long)ticks);
    }

    /// <summary>The smaller of the time left and <paramref name="slice"/>.</summary>
    /// <param name="slice">A positive cap, or <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <returns>The time to sleep now.</returns>
    public TimeSpan RemainingAtMost(TimeSpan slice)
    {
        TimeSpan remaining = Remaining;
        if (slice == Timeout.InfiniteTimeSpan)
        {
            return remaining;
        }

        return remaining == Timeout.InfiniteTimeSpan || remaining > slice ? slice : remaining;
    }
}
