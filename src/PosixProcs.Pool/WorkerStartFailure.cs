namespace PosixProcs.Pool;

/// <summary>Turns the error of a failed worker start into one that says why.</summary>
internal static class WorkerStartFailure
{
    /// <summary>
    /// Out of descriptors, .NET fails far from the cause: a type initializer
    /// (TypeInitializationException), an assembly it cannot open (FileNotFoundException). If
    /// a pipe cannot be made now either, the cause is EMFILE (or ENFILE): say that, with the
    /// error that was seen. Errors that already say why (a system call, a refused fork, the
    /// fork server) stay as they are.
    /// </summary>
    public static Exception Explain(Exception error)
    {
        if (error is PosixException or ForkHazardException or ForkServerException or ProcessPoolFaultedException)
        {
            return error;
        }

        PosixException? exhausted;
        try
        {
            exhausted = DescriptorsExhausted();
        }
#pragma warning disable CA1031 // The probe only refines the message: if it cannot run, the original error is reported as it is.
        catch (Exception)
#pragma warning restore CA1031
        {
            return error;
        }

        return exhausted is null
            ? error
            : new WorkerStartException(
                $"Could not start a pool worker: this process is out of file descriptors ({exhausted.Message}). " +
                $"Raise RLIMIT_NOFILE (ulimit -n) or close descriptors. The error seen was {error.GetType().Name}: {error.Message}",
                exhausted);
    }

    /// <summary>
    /// Runs what building a <see cref="PosixException"/> needs (the shim's errno conversion
    /// and strerror, and the code that formats the message) now, while descriptors are left:
    /// code and assemblies load on first use, and out of descriptors they cannot, so the first
    /// EMFILE would surface as FileNotFoundException or TypeInitializationException instead.
    /// </summary>
    public static void Prepare() => _ = new PosixException("pipe2", PosixErrno.EMFILE).Message;

    /// <summary>
    /// Opens a few pipes and closes them: EMFILE (or ENFILE) if fewer than eight descriptors
    /// are free. One free descriptor is not enough to call the process healthy: an assembly
    /// load needs several, and a load that failed has given back what it took.
    /// </summary>
    private static PosixException? DescriptorsExhausted()
    {
        var opened = new List<PipeEnds>(ProbePipes);
        try
        {
            for (int i = 0; i < ProbePipes; i++)
            {
                opened.Add(Posix.Pipe());
            }

            return null;
        }
        catch (PosixException ex) when (ex.Errno is PosixErrno.EMFILE or PosixErrno.ENFILE)
        {
            return ex;
        }
        finally
        {
            opened.ForEach(pipe => pipe.Dispose());
        }
    }

    private const int ProbePipes = 4;
}
