namespace PosixProcs.Pool;

/// <summary>Where the worker host program is, and how to start it with the machine's dotnet.</summary>
internal static class WorkerHostLocation
{
    public const string FileName = "PosixProcs.Pool.Worker.dll";

    /// <summary>The worker host next to PosixProcs.Pool.dll.</summary>
    /// <exception cref="FileNotFoundException">It is not there.</exception>
    public static string HostPath
    {
        get
        {
            string directory = Path.GetDirectoryName(typeof(WorkerHostLocation).Assembly.Location) is { Length: > 0 } d ? d : AppContext.BaseDirectory;
            string path = Path.Combine(directory, FileName);
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException(
                    $"StartMethod.Spawn and StartMethod.ForkServer run the worker host {FileName}, expected next to PosixProcs.Pool.dll in {directory}. " +
                    "Reference the PosixProcs.Pool.Worker project (or package) from your application, or use StartMethod.Fork.",
                    path);
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
