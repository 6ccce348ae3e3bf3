namespace PosixProcs;

/// <summary>Finds a program the way execvp would, but in the parent, before anything is forked.</summary>
public static class ProgramPath
{
    /// <summary>
    /// Resolves <paramref name="program"/>: a name with a '/' is used as it is; a bare name
    /// is looked up in each directory of PATH, in order, for an executable regular file.
    /// </summary>
    /// <param name="program">A path or a bare name such as "echo".</param>
    /// <param name="path">The search path; default the PATH environment variable (or "/usr/bin:/bin").</param>
    /// <returns>The path to execute.</returns>
    /// <exception cref="SpawnException">A bare name was not found: ENOENT, as execvp would say.</exception>
    public static string Resolve(string program, string? path = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        path ??= System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (string directory in path.Split(':'))
        {
            string candidate = Path.Combine(directory.Length == 0 ? "." : directory, program);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        throw new SpawnException(program, SpawnStep.Exec, PosixErrno.ENOENT);
    }

    private static bool IsExecutableFile(string candidate)
    {
        try
        {
            const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return File.Exists(candidate) && (File.GetUnixFileMode(candidate) & AnyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
