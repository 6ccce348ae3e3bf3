namespace PosixProcs.Benchmarks;

/// <summary>
/// The container inits the init figures compare, and the two things measured on each: a round
/// trip <c>INIT -- /bin/true</c>, and the init's resident memory while its program sleeps.
/// Both run the init through <see cref="ChildProcess.Spawn"/> (fork+exec in C, no thread here),
/// the same way for every side.
/// </summary>
internal static class InitPrograms
{
    /// <summary>posixprocs-init as this process carries it (runtimes/RID/native/).</summary>
    /// <exception cref="BenchmarkCheckException">It is not there.</exception>
    public static string PosixProcsInit() =>
        ContainerInit.Find() ?? throw new BenchmarkCheckException(
            $"{ContainerInit.ProgramName} is missing: not at {string.Join(", not at ", ContainerInit.SearchPaths())} (make native builds it).");

    /// <summary>tini, the reference, from PATH.</summary>
    /// <exception cref="BenchmarkCheckException">It is not installed.</exception>
    public static string Tini() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "tini"))
            .FirstOrDefault(File.Exists)
        ?? throw new BenchmarkCheckException("tini is not on PATH; it is the reference of the init figures (Debian: apt-get install tini).");

    /// <summary>Starts <paramref name="command"/> (which runs /bin/true under an init) and waits for it; it must exit 0.</summary>
    /// <exception cref="BenchmarkCheckException">It did not exit 0 within the timeout (it is then killed).</exception>
    public static void RoundTrip(IReadOnlyList<string> command, TimeSpan timeout)
    {
        using ChildProcess init = ChildProcess.Spawn(command[0], command.Skip(1), new SpawnOptions { StandardInput = StdioRedirect.Null });
        if (!init.Wait(timeout))
        {
            throw new BenchmarkCheckException($"{string.Join(' ', command)} did not exit within {timeout.TotalSeconds:0} s; killed.");
        }

        if (!init.Status!.IsSuccess)
        {
            throw new BenchmarkCheckException($"{string.Join(' ', command)}: {init.Status}.");
        }
    }

    /// <summary>
    /// Starts <c>INIT -s -- sleep 1000</c> (a subreaper, as an init that is not PID 1 should be), waits until the init's child has become sleep, reads the
    /// init's VmRSS from /proc, then sends the init SIGTERM, which it must forward: it must end
    /// with 128 + SIGTERM (the program's fate). Linux only.
    /// </summary>
    /// <returns>The init's resident set, in bytes.</returns>
    /// <exception cref="BenchmarkCheckException">The program did not start, or the init did not end as it must, within the timeout.</exception>
    public static long ResidentWhileProgramSleeps(string init, TimeSpan timeout)
    {
        using ChildProcess process = ChildProcess.Spawn(init, ["-s", "--", "sleep", "1000"], new SpawnOptions { StandardInput = StdioRedirect.Null });
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!ProgramIsSleep(process.Pid))
        {
            if (Environment.TickCount64 > deadline || process.Wait(TimeSpan.FromMilliseconds(5)))
            {
                throw new BenchmarkCheckException($"{init} -s -- sleep 1000: the program was not sleeping within {timeout.TotalSeconds:0} s ({process}).");
            }
        }

        long bytes = ResidentBytes(process.Pid);
        process.Signal(Signal.SIGTERM);
        if (!process.Wait(timeout) || process.Status != new WaitStatus.Exited(128 + Signal.SIGTERM.Number))
        {
            throw new BenchmarkCheckException($"{init}: after SIGTERM, {process} (expected exit code {128 + Signal.SIGTERM.Number}: the signal forwarded to sleep).");
        }

        return bytes;
    }

    /// <summary>Has the init's only child exec'd sleep?</summary>
    private static bool ProgramIsSleep(Pid init)
    {
        string? children = ReadOrNull($"/proc/{init}/task/{init}/children");
        string? child = children?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return child is not null && ReadOrNull($"/proc/{child}/comm")?.Trim() == "sleep";
    }

    /// <summary>VmRSS of /proc/PID/status (kB there means KiB).</summary>
    private static long ResidentBytes(Pid pid)
    {
        string line = (ReadOrNull($"/proc/{pid}/status") ?? string.Empty).Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            ?? throw new BenchmarkCheckException($"/proc/{pid}/status has no VmRSS line.");
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null; // the process has gone, or not started its child yet
        }
    }
}
