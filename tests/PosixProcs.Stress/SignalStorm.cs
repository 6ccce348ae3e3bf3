using System.Globalization;

namespace PosixProcs.Stress;

/// <summary>
/// The signal sender of case (e): <c>storm HOSTPID</c> sends SIGCHLD, SIGUSR1 and SIGWINCH to
/// HOSTPID, one of each every millisecond, until its standard input closes; then prints how many.
/// </summary>
internal static class SignalStorm
{
    public static readonly Signal[] Signals = [Signal.SIGCHLD, Signal.SIGUSR1, Signal.Parse("SIGWINCH")];

    public static int Run(string[] args)
    {
        var host = new Pid(int.Parse(args[0], CultureInfo.InvariantCulture));
        long sent = 0;
        string? failure = null;
        while (failure is null && !StopSignal.WaitOrStop(TimeSpan.FromMilliseconds(1)))
        {
            foreach (Signal signal in Signals)
            {
                try
                {
                    Posix.Kill(host, signal);
                    sent++;
                }
                catch (PosixException ex)
                {
                    failure = ex.Message; // the host is gone: nothing more to send
                    break;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent={sent}"));
        if (failure is not null)
        {
            Console.WriteLine($"stopped={failure}");
        }

        return 0;
    }
}
