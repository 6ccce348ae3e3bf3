using System.Runtime.InteropServices;

namespace PosixProcs;

internal static partial class Interop
{
    /// <summary>Samples every other thread of this process (/proc/self/task); ENOSYS without /proc.</summary>
    [LibraryImport(Shim, EntryPoint = "PosixProcsNative_SampleThreads", SetLastError = true)]
    internal static unsafe partial int SampleThreads(ThreadSampleNative* samples, int capacity, int* count);
}
