namespace PosixProcs.SharedMemoryTests;

/// <summary>Forking and reaping children inside scenarios, never waiting without a bound.</summary>
internal static class Children
{
    /// <summary>Forks a child that runs <paramref name="body"/> and leaves with its result as exit code (1 on an exception).</summary>
    public static Pid Fork(Func<int> body)
    {
        if (Posix.Fork() is ForkResult.Parent parent)
        {
            return parent.ChildPid;
        }

        int code;
        try
        {
            code = body();
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"child {Pid.Current}: {ex}");
            code = 1;
        }

        Posix.Exit(code);
        return default;
    }

    /// <summary>Waits for <paramref name="child"/> at most <paramref name="timeout"/>; kills and reaps it if it is late.</summary>
    public static WaitStatus Reap(Pid child, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            WaitStatus status = Posix.WaitPid(child, WaitOptions.NoHang);
            if (status.HasEnded)
            {
                return status;
            }

            Thread.Sleep(5);
        }

        Posix.Kill(child, Signal.SIGKILL);
        WaitStatus killed = Posix.WaitPid(child);
        Console.Error.WriteLine($"child {child} did not finish in {timeout}: {killed}");
        return killed;
    }
}
