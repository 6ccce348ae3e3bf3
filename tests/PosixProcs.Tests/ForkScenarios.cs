using System.Text;
using PosixProcs.Testing;

namespace PosixProcs.Tests;

/// <summary>Scenarios that fork and run managed code in the child: each runs in a single-threaded helper process.</summary>
public static class ForkScenarios
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Scenario]
    public static int ExitCodesAndSignals(string[] args)
    {
        foreach (int code in new[] { 0, 3, 255 })
        {
            using ChildProcess child = ChildProcess.Fork(_ => code);
            Console.WriteLine($"exit{code}={child.Wait()}");
        }

        using ChildProcess sleeper = ChildProcess.Fork(() => Thread.Sleep(Timeout.Infinite));
        sleeper.Kill();
        Console.WriteLine($"killed={sleeper.Wait()}");

        // SIGTERM reaches a forked child: the runtime's forwarding handler is reset in the child.
        using ChildProcess polite = ChildProcess.Fork(() => Thread.Sleep(Timeout.Infinite));
        Console.WriteLine($"terminated={polite.Terminate(TimeSpan.FromSeconds(10))}");
        return 0;
    }

    [Scenario]
    public static int ChildThrows(string[] args)
    {
        using ChildProcess child = ChildProcess.Fork(() => throw new InvalidOperationException("boom in the child"));
        try
        {
            child.Wait();
            Console.WriteLine("thrown=no");
        }
        catch (ChildProcessException ex)
        {
            Console.WriteLine($"type={ex.RemoteType}");
            Console.WriteLine($"message={ex.Fault.Message}");
            Console.WriteLine($"status={ex.Status}");
            Console.WriteLine($"stackHasMethod={ex.RemoteStackTrace.Contains(nameof(ChildThrows), StringComparison.Ordinal)}");
        }

        return 0;
    }

    [Scenario]
    public static int ClosuresSeeParentState(string[] args)
    {
        int[] data = Enumerable.Range(1, 1000).ToArray();
        int global = 42;
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            global = 99;
            context.Output!.Write(Encoding.UTF8.GetBytes(data.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }, new ForkOptions { OutputPipe = true });
        using var reader = new StreamReader(child.StandardOutput!);
        Console.WriteLine($"sum={reader.ReadToEnd()}");
        Console.WriteLine($"status={child.Wait()}");
        Console.WriteLine($"global={global}");
        return 0;
    }

    [Scenario]
    public static int PipeEndOfFile(string[] args)
    {
        bool closeUnused = args[0] == "close";
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            context.Output!.Write("hello"u8);
        }, new ForkOptions { OutputPipe = true, CloseUnusedPipeEnds = closeUnused });

        var buffer = new byte[64];
        int n = child.StandardOutput!.Read(buffer);
        Console.WriteLine($"message={Encoding.UTF8.GetString(buffer, 0, n)}");
        child.Wait(Limit);

        // End of file comes only when every write end is closed, the parent's included.
        PollEvents ready = Posix.Poll(child.StandardOutput.Handle, PollEvents.In, TimeSpan.FromMilliseconds(300));
        bool eof = ready != PollEvents.None && child.StandardOutput.Read(buffer) == 0;
        Console.WriteLine($"eof={eof}");
        return 0;
    }

    [Scenario]
    public static int DuplexPingPong(string[] args)
    {
        int count = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            DuplexChannel channel = context.Channel!;
            for (int i = 0; i < count; i++)
            {
                byte[] message = channel.Receive();
                Array.Reverse(message);
                channel.Send(message);
            }
        }, new ForkOptions { Channel = true });

        int correct = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] sent = Encoding.UTF8.GetBytes($"message {i} " + new string('x', i % 200));
            child.Channel!.Send(sent);
            byte[] reply = child.Channel.Receive();
            Array.Reverse(reply);
            correct += reply.AsSpan().SequenceEqual(sent) ? 1 : 0;
        }

        Console.WriteLine($"correct={correct}");
        Console.WriteLine($"status={child.Wait()}");
        try
        {
            child.Channel!.Receive();
        }
        catch (ChannelClosedException ex)
        {
            Console.WriteLine($"after={ex.Reason}");
        }

        return 0;
    }

    [Scenario]
    public static int DuplexPeerDies(string[] args)
    {
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            context.Channel!.Send("one"u8);
            Posix.Kill(Pid.Current, Signal.SIGKILL);
        }, new ForkOptions { Channel = true });

        Console.WriteLine($"first={Encoding.UTF8.GetString(child.Channel!.Receive())}");
        try
        {
            child.Channel.Receive();
        }
        catch (ChannelClosedException ex)
        {
            Console.WriteLine($"reason={ex.Reason}");
        }

        Console.WriteLine($"status={child.Wait()}");
        return 0;
    }

    [Scenario]
    public static int TryReceiveTimesOut(string[] args)
    {
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            context.Channel!.Receive(); // waits for the parent's go
            context.Channel.Send("late"u8);
        }, new ForkOptions { Channel = true });

        Console.WriteLine($"early={child.Channel!.TryReceive(TimeSpan.FromMilliseconds(100), out _)}");
        child.Channel.Send("go"u8);
        bool got = child.Channel.TryReceive(Limit, out byte[]? message);
        Console.WriteLine($"late={got}:{(message is null ? string.Empty : Encoding.UTF8.GetString(message))}");
        child.Wait();
        return 0;
    }

    [Scenario]
    public static int TwoHundredForks(string[] args)
    {
        // The first children trigger one-time runtime initialisation (lazily opened
        // descriptors); a per-child leak shows as growth between the 100th and the 200th.
        int ok = 0;
        int afterFirstHundred = 0;
        IReadOnlyList<int> before = [];
        for (int i = 0; i < 200; i++)
        {
            if (i == 100)
            {
                before = ProcessInspector.OpenDescriptors();
                afterFirstHundred = before.Count;
            }

            using ChildProcess child = ChildProcess.Fork(_ => 0);
            ok += child.Wait().IsSuccess ? 1 : 0;
        }

        int growth = ProcessInspector.OpenDescriptorCount() - afterFirstHundred;
        Console.WriteLine($"ok={ok}");
        Console.WriteLine($"zombies={ProcessInspector.Zombies(Environment.ProcessId).Count}");
        Console.WriteLine($"fdGrowth={growth}");
        if (growth != 0)
        {
            Console.WriteLine($"newFds={string.Join(' ', ProcessInspector.OpenDescriptors().Except(before).Select(fd => $"{fd}->{ReadLink(fd)}"))}");
        }

        return 0;
    }

    private static string ReadLink(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "?";

    [Scenario]
    public static int GarbageCollectionInChild(string[] args)
    {
        int megabytes = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        using ChildProcess child = ChildProcess.Fork(_ =>
        {
            var garbage = new List<byte[]>();
            for (int n = 0; n < megabytes * 10; n++)
            {
                garbage.Add(new byte[100_000]);
            }

            GC.Collect();
            return garbage.Count == megabytes * 10 ? 0 : 1;
        });
        Console.WriteLine($"status={child.Wait()}");
        return 0;
    }

    [Scenario]
    public static int ForkRefusedUnderWriteXorExecute(string[] args)
    {
        try
        {
            using ChildProcess child = ChildProcess.Fork(() => { });
            Console.WriteLine("refused=no");
        }
        catch (ForkHazardException ex)
        {
            Console.WriteLine($"refused={ex.Hazards}");
        }

        return 0;
    }

    [Scenario]
    public static int WaitAsyncForForkedChildren(string[] args)
    {
        var children = Enumerable.Range(0, 20).Select(i => ChildProcess.Fork(_ => i)).ToList();
        WaitStatus[] statuses = Task.WhenAll(children.Select(c => c.WaitAsync())).WaitAsync(Limit).GetAwaiter().GetResult();
        Console.WriteLine($"codes={string.Join(',', statuses.Select(s => ((WaitStatus.Exited)s).Code))}");
        children.ForEach(c => c.Dispose());
        return 0;
    }
    [Scenario]
    public static int EnvironmentExitInChild(string[] args)
    {
        foreach (int code in new[] { 3, 0 })
        {
            using ChildProcess child = ChildProcess.Fork(context =>
            {
                context.Output!.Write("before exit"u8);
                Environment.Exit(code);
            }, new ForkOptions { OutputPipe = true });
            using var reader = new StreamReader(child.StandardOutput!);
            Console.WriteLine($"output{code}={reader.ReadToEnd()}");
            Console.WriteLine($"status{code}={WaitOrKill(child)}");
        }

        return 0;
    }

    [Scenario]
    public static int ExitCodeSetWithoutExit(string[] args)
    {
        // Setting the code is not exiting: the child sleeps, then blocks in a read, then returns.
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            Environment.ExitCode = 5;
            Thread.Sleep(300);
            int n = context.Input!.Read(new byte[1]);
            return n == 1 ? 0 : 1;
        }, new ForkOptions { InputPipe = true });
        Thread.Sleep(300);
        child.StandardInput!.Write("x"u8);
        Console.WriteLine($"status={WaitOrKill(child)}");
        return 0;
    }

    private static string WaitOrKill(ChildProcess child)
    {
        if (child.Wait(Limit))
        {
            return child.Status!.ToString()!;
        }

        string hung = $"hung (state {ProcessInspector.State(child.Pid.Value)})";
        child.Kill();
        child.Wait();
        return hung;
    }

    [Scenario]
    public static int InheritedDescriptors(string[] args)
    {
        // args[0]: close (the default), keep (CloseInheritedDescriptors = false), list (close, but keep the pipe's write end).
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using PipeEnds pipe = Posix.Pipe();
        string socketTarget = LinkOf((int)listener.Server.Handle);
        string pipeTarget = LinkOf(pipe.Write.Number);
        var options = args[0] switch
        {
            "keep" => new ForkOptions { InputPipe = true, OutputPipe = true, CloseInheritedDescriptors = false },
            "list" => new ForkOptions { InputPipe = true, OutputPipe = true, InheritedDescriptors = [pipe.Write] },
            _ => new ForkOptions { InputPipe = true, OutputPipe = true },
        };
        using ChildProcess child = ChildProcess.Fork(context =>
        {
            // Managed code, allocation, a collection and Console still work after the closing.
            var garbage = new List<byte[]>();
            for (int n = 0; n < 500; n++)
            {
                garbage.Add(new byte[100_000]);
            }

            GC.Collect();
            Console.WriteLine($"childConsole=ok {garbage.Count}");
            context.Output!.Write("r"u8); // the closing happened long before: the parent may look now
            return context.Input!.Read(new byte[1]) == 1 ? 0 : 1; // lives until the parent says go
        }, options);

        Console.WriteLine($"childReady={child.StandardOutput!.Read(new byte[1]) == 1}");
        string[] childTargets = Directory.GetFiles($"/proc/{child.Pid}/fd").Select(path => new FileInfo(path).LinkTarget ?? "?").ToArray();
        Console.WriteLine($"childHoldsSocket={childTargets.Contains(socketTarget)}");
        Console.WriteLine($"childHoldsPipe={childTargets.Contains(pipeTarget)}");

        // With the parent's own write end closed, the reader sees end-of-file while the child still lives.
        pipe.Write.Dispose();
        PollEvents ready = Posix.Poll(pipe.Read, PollEvents.In, TimeSpan.FromMilliseconds(args[0] == "close" ? 30_000 : 300));
        bool eof = ready != PollEvents.None && Posix.Read(pipe.Read, new byte[1]) == 0;
        Console.WriteLine($"eofWhileChildLives={eof && ProcessInspector.State(child.Pid.Value) is not (null or 'Z')}");
        child.StandardInput!.Write("g"u8);
        Console.WriteLine($"status={WaitOrKill(child)}");
        return 0;
    }

    private static string LinkOf(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "?";
}
