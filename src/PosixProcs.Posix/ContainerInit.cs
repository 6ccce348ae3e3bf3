using System.Globalization;

namespace PosixProcs;

/// <summary>
/// posixprocs-init, the small init in C that PosixProcs.Posix carries (runtimes/RID/native/,
/// for linux-x64 and linux-arm64): what tini does for a container's PID 1. It starts the program
/// in its own process group, forwards the signals a container receives, reaps every zombie
/// (orphans included), and exits with the program's code, or 128 + the signal that killed it.
/// </summary>
/// <remarks>
/// Its own exit codes: 2 bad usage, 126 the program is not executable, 127 the program is not
/// found, 125 another failure before the program ran. See native/init/posixprocs-init.c.
/// </remarks>
public static class ContainerInit
{
    /// <summary>The init's file name.</summary>
    public const string ProgramName = "posixprocs-init";

    /// <summary>
    /// Where <see cref="Find"/> looks, in order: next to the PosixProcs.Posix assembly (a publish
    /// for one runtime flattens runtimes/), then under runtimes/RID/native/ there (a project
    /// reference, a portable app, the posixprocs tool).
    /// </summary>
    /// <param name="directory">The directory to look in; <c>null</c> for the PosixProcs.Posix assembly's.</param>
    /// <returns>The candidate paths.</returns>
    public static IReadOnlyList<string> SearchPaths(string? directory = null)
    {
        directory ??= Path.GetDirectoryName(typeof(ContainerInit).Assembly.Location) is { Length: > 0 } location ? location : AppContext.BaseDirectory;
        return [Path.Combine(directory, ProgramName), Path.Combine(directory, "runtimes", Interop.ShimRuntimeIdentifier, "native", ProgramName)];
    }

    /// <summary>The first of <see cref="SearchPaths"/> that exists.</summary>
    /// <param name="directory">The directory to look in; <c>null</c> for the PosixProcs.Posix assembly's.</param>
    /// <returns>The init's path, or <c>null</c> when it is not there (macOS, unless built on the Mac with <c>make native</c>).</returns>
    public static string? Find(string? directory = null) => SearchPaths(directory).FirstOrDefault(File.Exists);

    /// <summary>The init's argv: <c>posixprocs-init [-s] [-g] [-p N] [-t MS] [-v] -- PROGRAM ARGS...</c>.</summary>
    /// <param name="initPath">The init's path (argv[0]).</param>
    /// <param name="options">The init's options.</param>
    /// <param name="program">The program (a path, or a name the init looks up in PATH).</param>
    /// <param name="arguments">The program's arguments.</param>
    /// <returns>The argument vector, argv[0] included.</returns>
    /// <exception cref="ArgumentException">An empty path or program; a negative grace period.</exception>
    public static IReadOnlyList<string> Arguments(string initPath, ContainerInitOptions options, string program, IReadOnlyList<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(initPath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        var argv = new List<string> { initPath };
        if (options.Subreaper)
        {
            argv.Add("-s");
        }

        if (options.ForwardToGroup)
        {
            argv.Add("-g");
        }

        if (options.ParentDeathSignal is Signal signal)
        {
            argv.AddRange(["-p", signal.Number.ToString(CultureInfo.InvariantCulture)]); // the init runs here: this platform's number
        }

        if (options.GracePeriod is TimeSpan grace)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(options));
            argv.AddRange(["-t", ((long)Math.Ceiling(grace.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)]);
        }

        if (options.Verbose)
        {
            argv.Add("-v");
        }

        argv.Add("--");
        argv.Add(program);
        argv.AddRange(arguments);
        return argv;
    }

    /// <summary>
    /// Replaces this process with the init (execve, not a new process: the init takes this
    /// process's pid, so a program started as a container's PID 1 hands PID 1 to the init),
    /// which then runs <paramref name="program"/>. Does not return on success.
    /// </summary>
    /// <remarks>
    /// A package extracted without the file's execute bits (NuGet keeps the owner's on Linux,
    /// 0744 under the usual umask; other tools may not) is made executable first (chmod adds
    /// execute wherever read is allowed) when this process owns the file; otherwise the exec
    /// fails with EACCES. Descriptors that are not close-on-exec are inherited by the init and
    /// its program, as with any exec; .NET opens its own close-on-exec.
    /// </remarks>
    /// <param name="initPath">The init, usually from <see cref="Find"/>.</param>
    /// <param name="options">The init's options.</param>
    /// <param name="program">The program (a path, or a name the init looks up in PATH).</param>
    /// <param name="arguments">The program's arguments.</param>
    /// <exception cref="ArgumentException">See <see cref="Arguments"/>.</exception>
    /// <exception cref="PosixException">execve failed (ENOENT, EACCES, ENOEXEC), or chmod did (EPERM: another user's file).</exception>
    public static void Exec(string initPath, ContainerInitOptions options, string program, IReadOnlyList<string> arguments)
    {
        IReadOnlyList<string> argv = Arguments(initPath, options, program, arguments);
        MakeExecutable(initPath);
        Posix.Exec(initPath, argv);
    }

    /// <summary>Adds execute permission wherever read is allowed, when the file has no execute bit at all.</summary>
    private static void MakeExecutable(string path)
    {
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (FileNotFoundException)
        {
            return; // execve reports ENOENT with the call's name
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & anyExecute) != 0)
        {
            return;
        }

        UnixFileMode added = ((mode & UnixFileMode.UserRead) != 0 ? UnixFileMode.UserExecute : 0)
            | ((mode & UnixFileMode.GroupRead) != 0 ? UnixFileMode.GroupExecute : 0)
            | ((mode & UnixFileMode.OtherRead) != 0 ? UnixFileMode.OtherExecute : 0);
        Posix.ChangeMode(path, mode | added);
    }
}
