namespace PosixProcs.Pool;

/// <summary>
/// Tells whether this user can still create threads: what a .NET process (the fork server)
/// needs a dozen of just to start. Under RLIMIT_NPROC, which counts threads, a server spawned
/// with one process left starts and then dies in its runtime's set-up (hostfxr exits 137);
/// nothing in it can say why, so the pool asks the system the same question with a real call.
/// </summary>
internal static class ThreadLimitProbe
{
    /// <summary>Threads a .NET runtime starts before any user code (measured: 10 to 12 on .NET 10).</summary>
    private const int RuntimeThreads = 16;

    /// <summary>
    /// Starts up to <see cref="RuntimeThreads"/> threads that only wait, then lets them end.
    /// </summary>
    /// <returns><c>pthread_create: EAGAIN</c> if one could not start; null if all did.</returns>
    public static PosixException? CannotStartARuntime()
    {
        using var release = new ManualResetEventSlim();
        var started = new List<Thread>(RuntimeThreads);
        try
        {
            for (int i = 0; i < RuntimeThreads; i++)
            {
                var thread = new Thread(() => release.Wait()) { IsBackground = true, Name = "PosixProcs thread-limit probe" };
                thread.Start();
                started.Add(thread);
            }

            return null;
        }
        catch (OutOfMemoryException)
        {
            // How .NET reports a pthread_create that failed; its one resource error is EAGAIN.
            return new PosixException("pthread_create", PosixErrno.EAGAIN);
        }
        finally
        {
            release.Set();
            started.ForEach(thread => thread.Join());
        }
    }
}
