namespace PosixProcs;

/// <summary>One other thread of this process at one moment, as the fork guard sees it.</summary>
/// <param name="Tid">The kernel's thread id.</param>
/// <param name="State">The state letter of /proc/self/task/TID/stat: 'R' runs or waits for a CPU, 'S' and 'D' sleep, ...</param>
/// <param name="CpuTimeNanoseconds">CPU time the thread has used so far.</param>
/// <param name="CpuTimeExact">True when the CPU time is exact (schedstat); false when it counts whole clock ticks.</param>
/// <param name="Name">The thread's name (comm, at most 15 characters).</param>
internal readonly record struct ThreadSample(int Tid, char State, long CpuTimeNanoseconds, bool CpuTimeExact, string Name)
{
    /// <summary>Samples every thread of this process except the calling one.</summary>
    /// <returns>The threads; null where the platform offers no way to see them (no /proc: macOS).</returns>
    /// <exception cref="PosixException">/proc could not be read (EMFILE when no descriptor is left).</exception>
    public static unsafe ThreadSample[]? SampleOthers()
    {
        int capacity = 32;
        while (true)
        {
            ThreadSampleNative[] buffer = new ThreadSampleNative[capacity];
            int count;
            int result;
            fixed (ThreadSampleNative* samples = buffer)
            {
                result = Interop.SampleThreads(samples, capacity, &count);
            }

            if (result < 0)
            {
                PosixException error = Errors.Last("fork guard: read /proc/self/task");
                return error.Errno == PosixErrno.ENOSYS ? null : throw error;
            }

            if (count <= capacity)
            {
                var threads = new ThreadSample[count];
                for (int i = 0; i < count; i++)
                {
                    ref ThreadSampleNative native = ref buffer[i];
                    string name;
                    fixed (byte* bytes = native.Name)
                    {
                        name = new string((sbyte*)bytes);
                    }

                    threads[i] = new ThreadSample(native.Tid, (char)native.State, native.CpuTimeNanoseconds, native.CpuTimeExact != 0, name);
                }

                return threads;
            }

            capacity = count + 16; // threads were started meanwhile: sample again with room
        }
    }
}
