using System.Runtime.InteropServices;

namespace PosixProcs;

public static partial class Posix
{
    /// <summary>
    /// Replaces this process's program (execve), keeping its pid and every descriptor that is
    /// not close-on-exec. The manual half of fork+exec, for a forked child; to start a
    /// program, prefer <see cref="Spawn"/>, which does both in C and reports exec errors to
    /// the parent. After a failed Exec in a forked child, leave through <see cref="Exit"/>.
    /// </summary>
    /// <param name="path">The program's path (no PATH search).</param>
    /// <param name="arguments">argv, including argv[0], passed exactly as given.</param>
    /// <param name="environment">The environment as <c>NAME=value</c>; <c>null</c> for this process's.</param>
    /// <exception cref="PosixException">execve failed (ENOENT, EACCES, ENOEXEC, ...); on success it does not return.</exception>
    public static unsafe void Exec(string path, IReadOnlyList<string> arguments, IReadOnlyList<string>? environment = null)
    {
        var request = new SpawnRequest(path, arguments); // the same validation as spawn: argv[0], no NUL
        var allocations = new List<IntPtr>();
        try
        {
            byte* nativePath = Utf8(request.Path, allocations);
            byte** argv = Utf8Array(request.Arguments, allocations);
            byte** envp = Utf8Array(environment ?? CurrentEnvironment(), allocations);
            Errors.ThrowIfNegative(Interop.execve(nativePath, argv, envp), "execve");
        }
        finally
        {
            foreach (IntPtr allocation in allocations)
            {
                NativeMemory.Free((void*)allocation);
            }
        }
    }
}
