using System.Runtime.InteropServices;

namespace PosixProcs;

// Mirrors of the structs in native/posixprocs.h. Field order matters: the ABI tests
// compare every offset with what the C compiler reports.

/// <summary>PosixProcsWaitStatusParts.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WaitStatusParts
{
    public int Exited;
    public int ExitCode;
    public int Signaled;
    public int TermSignal;
    public int CoreDumped;
    public int Stopped;
    public int StopSignal;
    public int Continued;
}

/// <summary>PosixProcsResourceLimit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ResourceLimitNative
{
    public int Resource;
    public int Reserved;
    public ulong Soft;
    public ulong Hard;
}

/// <summary>PosixProcsResourceUsage.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ResourceUsageNative
{
    public long UserTimeMicroseconds;
    public long SystemTimeMicroseconds;
    public long MaxResidentSetBytes;
    public long MinorFaults;
    public long MajorFaults;
    public long VoluntaryContextSwitches;
    public long InvoluntaryContextSwitches;
}

/// <summary>PosixProcsFdMapping.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FdMappingNative
{
    public int ChildFd;
    public int ParentFd;
}

/// <summary>PosixProcsSpawnRequest.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SpawnRequestNative
{
    public byte* Path;
    public byte** Argv;
    public byte** Envp;
    public byte* WorkingDirectory;
    public FdMappingNative* FdMap;
    public ResourceLimitNative* Limits;
    public int FdMapCount;
    public int LimitCount;
    public int Flags;
    public int ParentDeathSignal;
    public int ControllingTerminal;
}

/// <summary>PosixProcsThreadSample.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ThreadSampleNative
{
    public int Tid;
    public int State;
    public long CpuTimeNanoseconds;
    public int CpuTimeExact;
    public fixed byte Name[20];
}

/// <summary>PosixProcsFileStatus.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileStatusNative
{
    public long Size;
    public uint OwnerUserId;
    public uint OwnerGroupId;
    public uint Mode;
    public int Reserved;
}
