/* Platform constants and struct layouts, reported so managed tests can check that
 * their view of the boundary matches the real C headers. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <limits.h>
#include <unistd.h>

_Static_assert(sizeof(PosixProcsWaitStatusParts) == 32, "WaitStatusParts is eight int32");
_Static_assert(sizeof(PosixProcsResourceLimit) == 24, "ResourceLimit: int32, int32, uint64, uint64");
_Static_assert(offsetof(PosixProcsResourceLimit, soft) == 8, "soft follows the reserved field");
_Static_assert(sizeof(PosixProcsResourceUsage) == 56, "ResourceUsage is seven int64");
_Static_assert(sizeof(PosixProcsThreadSample) == 40, "ThreadSample has no hidden padding");
_Static_assert(sizeof(PosixProcsFdMapping) == 8, "FdMapping is two int32");
_Static_assert(sizeof(PosixProcsFileStatus) == 24, "FileStatus: int64 and four 32-bit fields");

int32_t PosixProcsNative_GetPlatformConstant(int32_t id)
{
    switch (id)
    {
        case PP_CONST_SIGHUP: return SIGHUP;
        case PP_CONST_SIGINT: return SIGINT;
        case PP_CONST_SIGQUIT: return SIGQUIT;
        case PP_CONST_SIGILL: return SIGILL;
        case PP_CONST_SIGABRT: return SIGABRT;
        case PP_CONST_SIGFPE: return SIGFPE;
        case PP_CONST_SIGKILL: return SIGKILL;
        case PP_CONST_SIGSEGV: return SIGSEGV;
        case PP_CONST_SIGPIPE: return SIGPIPE;
        case PP_CONST_SIGALRM: return SIGALRM;
        case PP_CONST_SIGTERM: return SIGTERM;
        case PP_CONST_SIGUSR1: return SIGUSR1;
        case PP_CONST_SIGUSR2: return SIGUSR2;
        case PP_CONST_SIGCHLD: return SIGCHLD;
        case PP_CONST_SIGCONT: return SIGCONT;
        case PP_CONST_SIGSTOP: return SIGSTOP;
        case PP_CONST_SIGTSTP: return SIGTSTP;
        case PP_CONST_SIGBUS: return SIGBUS;
        case PP_CONST_SIGXCPU: return SIGXCPU;
        case PP_CONST_SIGTTIN: return SIGTTIN;
        case PP_CONST_SIGTTOU: return SIGTTOU;
        case PP_CONST_SIGWINCH: return SIGWINCH;
        case PP_CONST_SIGTRAP: return SIGTRAP;
        case PP_CONST_SIGSYS: return SIGSYS;
        case PP_CONST_SIGURG: return SIGURG;
        case PP_CONST_SIGIO: return SIGIO;
        case PP_CONST_SIGPROF: return SIGPROF;
        case PP_CONST_SIGVTALRM: return SIGVTALRM;
        case PP_CONST_SIGXFSZ: return SIGXFSZ;
        case PP_CONST_EPERM: return EPERM;
        case PP_CONST_ENOENT: return ENOENT;
        case PP_CONST_ESRCH: return ESRCH;
        case PP_CONST_EINTR: return EINTR;
        case PP_CONST_EBADF: return EBADF;
        case PP_CONST_ECHILD: return ECHILD;
        case PP_CONST_EAGAIN: return EAGAIN;
        case PP_CONST_ENOMEM: return ENOMEM;
        case PP_CONST_EACCES: return EACCES;
        case PP_CONST_EEXIST: return EEXIST;
        case PP_CONST_EINVAL: return EINVAL;
        case PP_CONST_EMFILE: return EMFILE;
        case PP_CONST_EPIPE: return EPIPE;
        case PP_CONST_ENOSYS: return ENOSYS;
        case PP_CONST_ETIMEDOUT: return ETIMEDOUT;
        case PP_CONST_ENOEXEC: return ENOEXEC;
        case PP_CONST_ENOTSUP: return ENOTSUP;
        case PP_CONST_MAP_SHARED: return MAP_SHARED;
        case PP_CONST_MAP_PRIVATE: return MAP_PRIVATE;
        case PP_CONST_MAP_ANONYMOUS: return MAP_ANONYMOUS;
        case PP_CONST_PROT_READ: return PROT_READ;
        case PP_CONST_PROT_WRITE: return PROT_WRITE;
        case PP_CONST_O_CLOEXEC: return O_CLOEXEC;
        case PP_CONST_O_NONBLOCK: return O_NONBLOCK;
        case PP_CONST_MS_SYNC: return MS_SYNC;
        case PP_CONST_MS_ASYNC: return MS_ASYNC;
        case PP_CONST_PAGE_SIZE: return (int32_t)sysconf(_SC_PAGESIZE);
#if defined(__APPLE__)
        case PP_CONST_SHM_NAME_MAX: return 30;
#else
        case PP_CONST_SHM_NAME_MAX: return NAME_MAX;
#endif
        default: return INT32_MIN;
    }
}

#define PP_LAYOUT_FIELD(type, field) (int32_t)offsetof(type, field)

/* layout[0] is the size, layout[1 + i] the offset of field i. */
static int32_t layout_entry(const int32_t* layout, size_t count, int32_t fieldIndex)
{
    return fieldIndex >= -1 && (size_t)(fieldIndex + 1) < count ? layout[fieldIndex + 1] : -1;
}

int32_t PosixProcsNative_GetStructLayout(int32_t structId, int32_t fieldIndex)
{
    switch (structId)
    {
        case PP_STRUCT_WAIT_STATUS_PARTS:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsWaitStatusParts),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, exited),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, exitCode),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, signaled),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, termSignal),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, coreDumped),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, stopped),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, stopSignal),
                PP_LAYOUT_FIELD(PosixProcsWaitStatusParts, continued),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_RESOURCE_LIMIT:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsResourceLimit),
                PP_LAYOUT_FIELD(PosixProcsResourceLimit, resource),
                PP_LAYOUT_FIELD(PosixProcsResourceLimit, reserved),
                PP_LAYOUT_FIELD(PosixProcsResourceLimit, soft),
                PP_LAYOUT_FIELD(PosixProcsResourceLimit, hard),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_RESOURCE_USAGE:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsResourceUsage),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, userTimeMicroseconds),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, systemTimeMicroseconds),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, maxResidentSetBytes),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, minorFaults),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, majorFaults),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, voluntaryContextSwitches),
                PP_LAYOUT_FIELD(PosixProcsResourceUsage, involuntaryContextSwitches),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_FD_MAPPING:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsFdMapping),
                PP_LAYOUT_FIELD(PosixProcsFdMapping, childFd),
                PP_LAYOUT_FIELD(PosixProcsFdMapping, parentFd),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_SPAWN_REQUEST:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsSpawnRequest),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, path),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, argv),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, envp),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, workingDirectory),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, fdMap),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, limits),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, fdMapCount),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, limitCount),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, flags),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, parentDeathSignal),
                PP_LAYOUT_FIELD(PosixProcsSpawnRequest, controllingTerminal),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_THREAD_SAMPLE:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsThreadSample),
                PP_LAYOUT_FIELD(PosixProcsThreadSample, tid),
                PP_LAYOUT_FIELD(PosixProcsThreadSample, state),
                PP_LAYOUT_FIELD(PosixProcsThreadSample, cpuTimeNanoseconds),
                PP_LAYOUT_FIELD(PosixProcsThreadSample, cpuTimeExact),
                PP_LAYOUT_FIELD(PosixProcsThreadSample, name),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        case PP_STRUCT_FILE_STATUS:
        {
            const int32_t layout[] = {
                (int32_t)sizeof(PosixProcsFileStatus),
                PP_LAYOUT_FIELD(PosixProcsFileStatus, size),
                PP_LAYOUT_FIELD(PosixProcsFileStatus, ownerUserId),
                PP_LAYOUT_FIELD(PosixProcsFileStatus, ownerGroupId),
                PP_LAYOUT_FIELD(PosixProcsFileStatus, mode),
                PP_LAYOUT_FIELD(PosixProcsFileStatus, reserved),
            };
            return layout_entry(layout, sizeof(layout) / sizeof(layout[0]), fieldIndex);
        }
        default:
            return -1;
    }
}
