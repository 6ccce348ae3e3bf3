using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>Scenarios that fork and run managed code in the child: they run in a single-threaded helper process.</summary>
public static class ForkScenarios
{
    [Scenario]
    public static int MapSharedAndPrivateThenFork(string[] args)
    {
        using MemoryMapping shared = Posix.Map(Posix.PageSize, MappingSharing.Shared);
        using MemoryMapping copyOnWrite = Posix.Map(Posix.PageSize, MappingSharing.Private);
        shared.Span[0] = 1;
        copyOnWrite.Span[0] = 1;
        switch (Posix.Fork())
        {
            case ForkResult.Child:
                shared.Span[0] = 2;
                copyOnWrite.Span[0] = 2;
                Posix.Exit(copyOnWrite.Span[0]);
                break;
            case ForkResult.Parent parent:
                Console.WriteLine($"child={Posix.WaitPid(parent.ChildPid)}");
                Console.WriteLine($"shared={shared.Span[0]}");
                Console.WriteLine($"private={copyOnWrite.Span[0]}");
                break;
        }

        return 0;
    }

    [Scenario]
    public static int ForkAndReport(string[] args)
    {
        try
        {
            switch (Posix.Fork())
            {
                case ForkResult.Child:
                    Posix.Exit(0);
                    break;
                case ForkResult.Parent parent:
                    Console.WriteLine($"forked={Posix.WaitPid(parent.ChildPid)}");
                    break;
            }
        }
        catch (ForkHazardException ex)
        {
            Console.WriteLine($"refused={ex.Hazards}");
            Console.WriteLine($"message={ex.Message}");
        }

        return 0;
    }

    [Scenario]
    public static int ForkWhileAnotherThreadSpins(string[] args)
    {
        using var stop = new CancellationTokenSource();
        long spins = 0;
        var spinner = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref spins);
            }
        })
        { Name = "spinner", IsBackground = true };
        spinner.Start();
        while (Interlocked.Read(ref spins) == 0)
        {
            Thread.Yield();
        }

        int result = ForkAndReport(args);
        stop.Cancel();
        spinner.Join();
        return result;
    }

    [Scenario]
    public static int ExitCodesAndSignals(string[] args)
    {
        foreach (int code in new[] { 0, 1, 7, 255 })
        {
            if (Posix.Fork() is ForkResult.Parent parent)
            {
                Console.WriteLine($"exit{code}={Posix.WaitPid(parent.ChildPid)}");
            }
            else
            {
                Posix.Exit(code);
            }
        }

        foreach (Signal signal in new[] { Signal.SIGKILL, Signal.SIGTERM })
        {
            if (Posix.Fork() is ForkResult.Parent parent)
            {
                Posix.Kill(parent.ChildPid, signal);
                Console.WriteLine($"{signal.Name}={Posix.WaitPid(parent.ChildPid)}");
            }
            else
            {
                Thread.Sleep(Timeout.Infinite);
            }
        }

        return 0;
    }

    [Scenario]
    public static int StopContinueAndNoHang(string[] args)
    {
        if (Posix.Fork() is not ForkResult.Parent parent)
        {
            Thread.Sleep(Timeout.Infinite);
            return 0;
        }

        Pid child = parent.ChildPid;
        Console.WriteLine($"nohang={Posix.WaitPid(child, WaitOptions.NoHang)}");
        Posix.Kill(child, Signal.SIGSTOP);
        Console.WriteLine($"stopped={Posix.WaitPid(child, WaitOptions.Untraced)}");
        Posix.Kill(child, Signal.SIGCONT);
        Console.WriteLine($"continued={Posix.WaitPid(child, WaitOptions.Continued)}");
        Posix.Kill(child, Signal.SIGKILL);
        Console.WriteLine($"killed={Posix.WaitPid(child)}");
        return 0;
    }
}

/// <summary>Fork-guard scenarios on a busy machine and with no descriptor left.</summary>
public static class ForkGuardScenarios
{
    /// <summary>
    /// Saturates the CPUs with shell loops (as stress-ng would; args[1] is their niceness:
    /// a negative one, for root, starves this process the way a CPU quota does), makes the
    /// runtime's own threads wake again and again (GC with finalizers, every child's
    /// SIGCHLD), and forks args[0] times: a busy machine must delay forks, never refuse them.
    /// </summary>
    [Scenario]
    public static int ForkRepeatedlyOnSaturatedMachine(string[] args)
    {
        int forks = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        string niceness = args[1];
        var burners = new List<Pid>();
        int refused = 0;
        string lastRefusal = "none";
        try
        {
            for (int i = 0; i < 2 * Environment.ProcessorCount + 2; i++)
            {
                // nice(1) refuses a negative niceness without privilege and then runs the loop at 0.
                burners.Add(Posix.Spawn(new SpawnRequest("/usr/bin/nice", ["nice", "-n", niceness, "/bin/sh", "-c", "while :; do :; done"])));
            }

            var codes = new List<int>();
            for (int i = 0; i < forks; i++)
            {
                for (int j = 0; j < 200; j++)
                {
                    _ = new Finalizable();
                }

                GC.Collect(); // wakes the finalizer thread right before the fork
                try
                {
                    if (Posix.Fork() is ForkResult.Parent parent)
                    {
                        WaitStatus status = Posix.WaitPid(parent.ChildPid);
                        codes.Add(status is WaitStatus.Exited exited ? exited.Code : -1);
                    }
                    else
                    {
                        Posix.Exit(i % 200);
                    }
                }
                catch (ForkHazardException ex)
                {
                    refused++;
                    lastRefusal = ex.Message;
                }
            }

            Console.WriteLine($"refused={refused}");
            Console.WriteLine($"lastRefusal={lastRefusal}");
            Console.WriteLine($"codesRight={codes.Select((code, index) => code == index % 200).All(ok => ok)}");
        }
        finally
        {
            foreach (Pid burner in burners)
            {
                Posix.Kill(burner, Signal.SIGKILL);
                Posix.WaitPid(burner);
            }
        }

        return 0;
    }

    /// <summary>A thread that computes for a moment and then waits: the guard waits for it and forks.</summary>
    [Scenario]
    public static int ForkWhileAnotherThreadFinishesWork(string[] args)
    {
        using var started = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            started.Set();
            long until = Environment.TickCount64 + 150;
            long sum = 0;
            while (Environment.TickCount64 < until)
            {
                sum += until; // managed code, running, for about 150 ms of wall time
            }

            GC.KeepAlive(sum);
            Thread.Sleep(Timeout.Infinite);
        })
        { Name = "finisher", IsBackground = true };
        worker.Start();
        started.Wait();
        int result = ForkScenarios.ForkAndReport(args);
        return result;
    }

    /// <summary>
    /// A thread that wakes every millisecond to run a little managed code (allocating, so it
    /// takes the runtime's locks), beside args[0] forks whose children allocate, collect and
    /// exit with a code of their own: a child forked while the thread ran is ended and the fork
    /// tried again, so every child that runs finishes (none hangs on a lock it inherited held).
    /// </summary>
    [Scenario]
    public static int ForkWhileAThreadWakesEveryMillisecond(string[] args)
    {
        int forks = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        using var stop = new ManualResetEventSlim();
        var ticker = new Thread(() =>
        {
            var kept = new List<byte[]>();
            while (!stop.Wait(1))
            {
                kept.Add(new byte[4096]);
                if (kept.Count > 256)
                {
                    kept.Clear();
                }
            }
        })
        { Name = "ticker", IsBackground = true };
        ticker.Start();
        int refused = 0;
        var codes = new List<int>();

        // A time budget as well as a count: on a saturated machine each fork may wait seconds
        // for a quiet moment, and 60 of them ran past the test's 60 s bound in a CI-like run.
        long budgetEnd = Environment.TickCount64 + 40_000;
        int attempted = 0;
        for (int i = 0; i < forks && Environment.TickCount64 < budgetEnd; i++)
        {
            attempted++;
            try
            {
                if (Posix.Fork(waitForQuietThreads: TimeSpan.FromSeconds(5)) is ForkResult.Parent parent)
                {
                    WaitStatus status = Posix.WaitPid(parent.ChildPid);
                    codes.Add(status is WaitStatus.Exited exited ? exited.Code : -1);
                }
                else
                {
                    var garbage = new List<byte[]>();
                    for (int j = 0; j < 64; j++)
                    {
                        garbage.Add(new byte[16 * 1024]);
                    }

                    GC.Collect();
                    GC.KeepAlive(garbage);
                    Posix.Exit(codes.Count % 200);
                }
            }
            catch (ForkHazardException)
            {
                refused++;
            }
        }

        stop.Set();
        ticker.Join();
        Console.WriteLine($"attempted={attempted}");
        Console.WriteLine($"refused={refused}");
        Console.WriteLine($"children={codes.Count}");
        Console.WriteLine($"codesRight={codes.Select((code, index) => code == index % 200).All(ok => ok)}");
        Console.WriteLine($"abandoned={ForkSafety.AbandonedForks}");
        return 0;
    }

    /// <summary>Fills the descriptor table, then forks: the guard cannot read /proc and says so.</summary>
    [Scenario]
    public static int ForkWithNoDescriptorLeft(string[] args)
    {
        Posix.SetResourceLimit(Posix.GetResourceLimit(ResourceKind.OpenFiles) with { Soft = 64 });
        var held = new List<FileDescriptorHandle>();
        PosixException? error = null;
        try
        {
            while (true)
            {
                try
                {
                    PipeEnds pipe = Posix.Pipe();
                    held.Add(pipe.Read);
                    held.Add(pipe.Write);
                }
                catch (PosixException ex) when (ex.Errno == PosixErrno.EMFILE)
                {
                    break;
                }
            }

            if (Posix.Fork() is ForkResult.Child)
            {
                Posix.Exit(0);
            }
        }
        catch (PosixException ex)
        {
            error = ex;
        }
        finally
        {
            held.ForEach(fd => fd.Dispose()); // Console needs descriptors of its own to report
        }

        Console.WriteLine(error is null ? "forked=unexpected" : $"error={error.Message}");
        Console.WriteLine($"call={error?.CallName}");
        Console.WriteLine($"errno={error?.ErrnoName}");
        return 0;
    }

    private sealed class Finalizable
    {
        ~Finalizable()
        {
            Thread.SpinWait(10);
        }
    }
}

/// <summary>The parent-exit watcher that stands in for PR_SET_PDEATHSIG on macOS, run here over a pidfd.</summary>
public static class ParentWatchScenarios
{
    /// <summary>
    /// This process (a subreaper) forks a middle process, which forks a grandchild that arms the
    /// watcher with SIGKILL and reports its pid; the middle one is then killed. The grandchild,
    /// re-parented here, must die of SIGKILL (printed as <c>grandchild=</c>).
    /// </summary>
    [Scenario]
    public static int WatcherKillsGrandchildWhenParentDies(string[] args)
    {
        Posix.ChildSubreaper = true;
        PipeEnds report = Posix.Pipe();
        Pid middle;
        switch (Posix.Fork())
        {
            case ForkResult.Child:
                switch (Posix.Fork())
                {
                    case ForkResult.Child:
                        int armed = Interop.watch_parent_exit(Signal.SIGKILL.Number);
                        Posix.WriteAll(report.Write, BitConverter.GetBytes(armed == 0 ? Pid.Current.Value : -1));
                        Thread.Sleep(TimeSpan.FromSeconds(60));
                        Posix.Exit(3); // the watcher never fired
                        break;
                    case ForkResult.Parent:
                        Thread.Sleep(TimeSpan.FromSeconds(60));
                        Posix.Exit(4); // never killed by the test
                        break;
                }

                return 0;
            case ForkResult.Parent parent:
                middle = parent.ChildPid;
                break;
            default:
                return 1;
        }

        report.Write.Dispose();
        byte[] pidBytes = new byte[sizeof(int)];
        int read = Posix.Read(report.Read, pidBytes);
        int grandchild = read == sizeof(int) ? BitConverter.ToInt32(pidBytes) : -1;
        Console.WriteLine($"armed={grandchild > 0}");
        Posix.Kill(middle, Signal.SIGKILL);
        Console.WriteLine($"middle={Posix.WaitPid(middle)}");
        if (grandchild <= 0)
        {
            return 0;
        }

        // Re-parented to this subreaper when the middle process died: wait, with a deadline.
        var pid = new Pid(grandchild);
        long deadline = Environment.TickCount64 + 30_000;
        WaitStatus status = WaitStatus.StillRunning.Instance;
        while (status is WaitStatus.StillRunning && Environment.TickCount64 < deadline)
        {
            status = Posix.WaitPid(pid, WaitOptions.NoHang);
            if (status is WaitStatus.StillRunning)
            {
                Thread.Sleep(10);
            }
        }

        if (status is WaitStatus.StillRunning)
        {
            Posix.Kill(pid, Signal.SIGKILL);
            Posix.WaitPid(pid);
        }

        Console.WriteLine($"grandchild={status}");
        return 0;
    }
}
