using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace PosixProcs;

public sealed partial class ChildProcess
{
    /// <summary>The exit code of a forked child whose delegate threw (EX_SOFTWARE from sysexits.h).</summary>
    public const int FaultExitCode = 70;

    /// <summary>
    /// What <see cref="Environment.ExitCode"/> reads in a forked child until something sets it.
    /// A child watches for any other value to make <see cref="Environment.Exit(int)"/> end it
    /// (see <see cref="Fork(Func{ChildContext, int}, ForkOptions?)"/>).
    /// </summary>
    public const int UnsetExitCode = Posix.UnsetExitCode;

    private readonly List<FileDescriptorHandle> _retainedEnds = [];

    /// <summary>Forks a child that runs <paramref name="body"/> and exits with code 0.</summary>
    /// <param name="body">What the child does. It runs in a copy of this process, with one thread.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <returns>The child.</returns>
    /// <exception cref="ForkHazardException">Forking now would crash the parent or hang the child (see <see cref="ForkSafety"/>).</exception>
    /// <exception cref="ArgumentException">More than 248 <see cref="ForkOptions.InheritedDescriptors"/>, or a closed one.</exception>
    /// <exception cref="PosixException">fork or pipe failed.</exception>
    public static ChildProcess Fork(Action body, ForkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Fork(_ =>
        {
            body();
            return 0;
        }, options);
    }

    /// <summary>Forks a child that runs <paramref name="body"/> with its pipes and exits with code 0.</summary>
    /// <param name="body">What the child does.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <returns>The child.</returns>
    /// <exception cref="ForkHazardException">Forking now would crash the parent or hang the child.</exception>
    /// <exception cref="ArgumentException">More than 248 <see cref="ForkOptions.InheritedDescriptors"/>, or a closed one.</exception>
    /// <exception cref="PosixException">fork or pipe failed.</exception>
    public static ChildProcess Fork(Action<ChildContext> body, ForkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Fork(context =>
        {
            body(context);
            return 0;
        }, options);
    }

    /// <summary>
    /// Forks a child that runs <paramref name="body"/> and exits with the code it returns,
    /// like Python's <c>os.fork()</c> + a function + <c>os._exit()</c>, or
    /// <c>multiprocessing.Process(target=...)</c> with the fork start method.
    /// </summary>
    /// <remarks>
    /// The child is a copy of this process: closures and captured state work as they are,
    /// nothing is serialized. It leaves through <c>_exit</c>: no finalizers run and no buffer
    /// is flushed twice (Console output is autoflushed; the child flushes Console before it
    /// exits; flush your own buffered writers before forking). An exception that escapes
    /// <paramref name="body"/> ends the child with <see cref="FaultExitCode"/> and comes
    /// back from <see cref="Wait()"/> as a <see cref="ChildProcessException"/> carrying its
    /// type, message and stack.
    /// <para>
    /// <see cref="Environment.Exit(int)"/> in the child ends it with that code (its low 8 bits)
    /// within a few tens of milliseconds on Linux (see <see cref="Posix.WatchEnvironmentExit"/>:
    /// the runtime's own exit would wait for ever for a finalizer thread the child does not
    /// have). <see cref="AppDomain.ProcessExit"/> handlers and finalizers do not run. For that,
    /// <see cref="Environment.ExitCode"/> reads <see cref="UnsetExitCode"/> in the child until
    /// set; setting it without exiting does not end the child unless its main thread then waits
    /// on a managed primitive with no time limit. Only the main thread is watched: Environment.Exit
    /// from another thread of the child hangs that thread. Do not start managed threads in a
    /// forked child: its next garbage collection aborts it (measured on .NET 10).
    /// </para>
    /// </remarks>
    /// <param name="body">What the child does; returns its exit code, 0..255.</param>
    /// <param name="options">Pipes, channel, parent-death signal, inherited descriptors.</param>
    /// <returns>The child.</returns>
    /// <exception cref="ForkHazardException">Forking now would crash the parent or hang the child.</exception>
    /// <exception cref="ArgumentException">More than 248 <see cref="ForkOptions.InheritedDescriptors"/>, or a closed one.</exception>
    /// <exception cref="PosixException">fork or pipe failed.</exception>
    public static ChildProcess Fork(Func<ChildContext, int> body, ForkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= new ForkOptions();
        Pid parent = Pid.Current;
        var created = new List<PipeEnds>();
        PipeEnds Track(PipeEnds ends)
        {
            created.Add(ends);
            return ends;
        }

        ChildGroup group = options.NewSession ? ChildGroup.NewSession : options.NewProcessGroup ? ChildGroup.NewProcessGroup : ChildGroup.Inherit;
        ForkResult forked;
        PipeEnds fault, input, output, channel;
        try
        {
            fault = Track(Posix.Pipe());
            input = options.InputPipe ? Track(Posix.Pipe()) : null!;
            output = options.OutputPipe ? Track(Posix.Pipe()) : null!;
            channel = options.Channel ? Track(Posix.SocketPair()) : null!;
            forked = options.CloseInheritedDescriptors
                ? Posix.ForkClosingDescriptors([.. created.SelectMany(ends => new[] { ends.Read, ends.Write }), .. options.InheritedDescriptors], options.AcceptedHazards, options.WaitForQuietThreads, group)
                : Posix.Fork(options.AcceptedHazards, options.WaitForQuietThreads, group);
        }
        catch
        {
            created.ForEach(ends => ends.Dispose());
            throw;
        }

        if (forked is ForkResult.Child)
        {
            RunChild(body, options, parent, fault, input, output, channel);
        }

        Pid pid = ((ForkResult.Parent)forked).ChildPid;
        fault.Write.Dispose();
        var child = new ChildProcess(pid, new ChildFaultReader(fault.Read), leadsProcessGroup: group != ChildGroup.Inherit);
        child.KeepOrClose(options.CloseUnusedPipeEnds, input?.Read, output?.Write, channel?.Write);
        if (input is not null)
        {
            child.StandardInput = new FileDescriptorStream(input.Write, FileAccess.Write);
        }

        if (output is not null)
        {
            child.StandardOutput = new FileDescriptorStream(output.Read, FileAccess.Read);
        }

        if (channel is not null)
        {
            child.Channel = new DuplexChannel(channel.Read, child.DiedAfterClosing);
        }

        return child;
    }

    /// <summary>
    /// At end of stream: did the child die, rather than close its end in an orderly way?
    /// The socket closes while the kernel tears the process down, a moment before it can be
    /// reaped, hence the short wait.
    /// </summary>
    private bool DiedAfterClosing()
    {
        try
        {
            return Wait(TimeSpan.FromMilliseconds(250)) && !Status!.IsSuccess;
        }
        catch (ChildProcessException)
        {
            return true;
        }
    }

    private void KeepOrClose(bool close, params FileDescriptorHandle?[] unusedEnds)
    {
        foreach (FileDescriptorHandle? end in unusedEnds)
        {
            if (end is null)
            {
                continue;
            }

            if (close)
            {
                end.Dispose();
            }
            else
            {
                _retainedEnds.Add(end);
            }
        }
    }

    [DoesNotReturn]
    private static void RunChild(Func<ChildContext, int> body, ForkOptions options, Pid parent, PipeEnds fault, PipeEnds? input, PipeEnds? output, PipeEnds? channel)
    {
        int code;
        try
        {
            fault.Read.Dispose();
            if (options.CloseUnusedPipeEnds)
            {
                input?.Write.Dispose();
                output?.Read.Dispose();
                channel?.Read.Dispose();
            }

            if (options.ParentDeathSignal is Signal signal)
            {
                Posix.SetParentDeathSignal(signal);
                if (Pid.Parent != parent)
                {
                    Posix.Exit(0); // the parent died before the signal was armed: nobody to work for
                }
            }

            try
            {
                Posix.WatchEnvironmentExit();
            }
            catch (PosixException ex) when (ex.Errno == PosixErrno.EAGAIN)
            {
                // At the process limit (threads count against RLIMIT_NPROC) the watch thread
                // cannot start. The child still runs its body; only Environment.Exit loses its
                // prompt exit there, and every wait on a child is bounded.
            }

            var context = new ChildContext(
                parent,
                input is null ? null : new FileDescriptorStream(input.Read, FileAccess.Read),
                output is null ? null : new FileDescriptorStream(output.Write, FileAccess.Write),
                channel is null ? null : new DuplexChannel(channel.Write, () => Pid.Parent != parent));
            code = body(context);
            if (code is < 0 or > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(body), code, "A child's exit code must be 0..255.");
            }

            context.Output?.Dispose();
            context.Channel?.Dispose();
            Console.Out.Flush();
            Console.Error.Flush();
        }
        catch (Exception ex)
        {
            code = FaultExitCode;
            TryReport(fault.Write, ex);
        }

        Posix.Exit(code);
        throw new UnreachableException();
    }

    private static void TryReport(FileDescriptorHandle faultPipe, Exception exception)
    {
        try
        {
            ChildFaultReader.Report(faultPipe, exception);
        }
        catch (PosixException)
        {
            // The parent has gone (EPIPE): nobody is left to tell; the exit code still says it.
        }
    }
}
