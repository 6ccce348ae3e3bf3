namespace PosixProcs.Pool;

/// <summary>Where the worker host program is, and how to start it with the machine's dotnet.</summary>
internal static class WorkerHostLocation
{
    public const string FileName = "PosixProcs.Pool.Worker.dll";

    /// <summary>
    /// The worker host next to PosixProcs.Pool.dll, checked before anything starts it: without
    /// its runtimeconfig.json the host dies at once ("libhostpolicy.so ... was not found") and the
    /// pool would only see a broken pipe; without its deps.json it cannot find its own libraries.
    /// </summary>
    /// <exception cref="FileNotFoundException">The host, or one of the files it needs, is not there.</exception>
    public static string HostPath
    {
        get
        {
            string directory = Path.GetDirectoryName(typeof(WorkerHostLocation).Assembly.Location) is { Length: > 0 } d ? d : AppContext.BaseDirectory;
            string path = Path.Combine(directory, FileName);
            foreach (string required in (ReadOnlySpan<string>)[path, Path.ChangeExtension(path, ".runtimeconfig.json"), Path.ChangeExtension(path, ".deps.json")])
            {
                if (!File.Exists(required))
                {
                    throw new FileNotFoundException(
                        $"StartMethod.Spawn and StartMethod.ForkServer run the worker host {FileName} with its runtimeconfig.json and deps.json, " +
                        $"expected next to PosixProcs.Pool.dll in {directory}, but {Path.GetFileName(required)} is missing. " +
                        "The PosixProcs.Pool package copies all three into the app's output; from source, reference the PosixProcs.Pool.Worker project. " +
                        "Or use StartMethod.Fork.",
                        required);
                }
            }

            return path;
        }
    }

    /// <summary>The dotnet executable running this process (the host runs on the same runtime).</summary>
    public static string DotnetPath
    {
        get
        {
            string? fromHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromHost) && File.Exists(fromHost))
            {
                return fromHost;
            }

            // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/dotnet
            string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            string candidate = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "dotnet"));
            return File.Exists(candidate) ? candidate : "dotnet";
        }
    }
}
