using System.Runtime.InteropServices;
using System.Text;

namespace PosixProcs;

public static partial class Posix
{
    /// <summary>
    /// Starts a program in a new process, fork+exec done entirely in C (no managed code runs
    /// in the child). The child gets exactly the descriptors in the request; every signal
    /// disposition is reset to default and the signal mask is cleared.
    /// </summary>
    /// <param name="request">The program, argv, environment and set-up.</param>
    /// <returns>The child's pid. Wait for it: it is a zombie until reaped.</returns>
    /// <exception cref="SpawnException">A set-up step or exec failed; the failed child has been reaped.</exception>
    public static unsafe Pid Spawn(SpawnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pinned = new List<SafeHandle>();
        var allocations = new List<IntPtr>();
        try
        {
            SpawnRequestNative native = ToNative(request, nameof(request), pinned, allocations);
            int pid = 0;
            int step = 0;
            if (Interop.PosixProcsNative_Spawn(&native, &pid, &step) < 0)
            {
                PosixErrno errno = Errors.LastErrno();
                throw new SpawnException(request.Path, (SpawnStep)step, errno);
            }

            return new Pid(pid);
        }
        finally
        {
            Release(pinned, allocations);
        }
    }

    /// <summary>
    /// The request in the shim's layout. Strings and arrays go to native memory listed in
    /// <paramref name="allocations"/>; every descriptor is AddRef'd and listed in
    /// <paramref name="pinned"/>, so none can be closed (and its number reused) before the
    /// child has its copy. <see cref="Release"/> undoes both.
    /// </summary>
    private static unsafe SpawnRequestNative ToNative(SpawnRequest request, string parameterName, List<SafeHandle> pinned, List<IntPtr> allocations)
    {
        if (request.ControllingTerminal is not null && !request.NewSession)
        {
            throw new ArgumentException("A controlling terminal needs a new session (NewSession): only a session leader can acquire one.", parameterName);
        }

        IReadOnlyList<string> environment = request.Environment ?? CurrentEnvironment();
        SpawnRequestNative native = default;
        native.Path = Utf8(request.Path, allocations);
        native.Argv = Utf8Array(request.Arguments, allocations);
        native.Envp = Utf8Array(environment, allocations);
        native.WorkingDirectory = request.WorkingDirectory is null ? null : Utf8(request.WorkingDirectory, allocations);
        native.Flags = (request.NewProcessGroup ? 1 : 0) | (request.NewSession ? 2 : 0);
        native.ParentDeathSignal = request.ParentDeathSignal?.Number ?? 0;
        native.ControllingTerminal = -1;
        if (request.ControllingTerminal is { } terminal)
        {
            bool added = false;
            terminal.DangerousAddRef(ref added);
            pinned.Add(terminal);
            native.ControllingTerminal = (int)terminal.DangerousGetHandle();
        }

        native.FdMapCount = request.Descriptors.Count;
        native.FdMap = (FdMappingNative*)Allocate(sizeof(FdMappingNative) * Math.Max(1, request.Descriptors.Count), allocations);
        var childFds = new HashSet<int>();
        for (int i = 0; i < request.Descriptors.Count; i++)
        {
            DescriptorMapping mapping = request.Descriptors[i];
            ArgumentOutOfRangeException.ThrowIfNegative(mapping.ChildFd, parameterName);
            if (!childFds.Add(mapping.ChildFd))
            {
                throw new ArgumentException($"Child descriptor {mapping.ChildFd} is mapped twice.", parameterName);
            }

            int source = -1;
            if (mapping.Source is { } handle)
            {
                bool added = false;
                handle.DangerousAddRef(ref added);
                pinned.Add(handle);
                source = (int)handle.DangerousGetHandle();
            }

            native.FdMap[i] = new FdMappingNative { ChildFd = mapping.ChildFd, ParentFd = source };
        }

        native.LimitCount = request.ResourceLimits.Count;
        native.Limits = (ResourceLimitNative*)Allocate(sizeof(ResourceLimitNative) * Math.Max(1, request.ResourceLimits.Count), allocations);
        for (int i = 0; i < request.ResourceLimits.Count; i++)
        {
            native.Limits[i] = request.ResourceLimits[i].ToNative();
        }

        return native;
    }

    /// <summary>Releases what <see cref="ToNative"/> pinned and allocated.</summary>
    private static unsafe void Release(List<SafeHandle> pinned, List<IntPtr> allocations)
    {
        foreach (SafeHandle handle in pinned)
        {
            handle.DangerousRelease();
        }

        foreach (IntPtr allocation in allocations)
        {
            NativeMemory.Free((void*)allocation);
        }
    }

    private static List<string> CurrentEnvironment()
    {
        var list = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            list.Add($"{entry.Key}={entry.Value}");
        }

        return list;
    }

    private static unsafe void* Allocate(int bytes, List<IntPtr> allocations)
    {
        void* p = NativeMemory.AllocZeroed((nuint)bytes);
        allocations.Add((IntPtr)p);
        return p;
    }

    private static unsafe byte* Utf8(string value, List<IntPtr> allocations)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        byte* p = (byte*)Allocate(count + 1, allocations);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, count));
        p[count] = 0;
        return p;
    }

    private static unsafe byte** Utf8Array(IReadOnlyList<string> values, List<IntPtr> allocations)
    {
        byte** array = (byte**)Allocate(sizeof(byte*) * (values.Count + 1), allocations);
        for (int i = 0; i < values.Count; i++)
        {
            array[i] = Utf8(values[i], allocations);
        }

        array[values.Count] = null;
        return array;
    }
}
