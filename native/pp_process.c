/* Processes: waitpid, pidfd, prctl switches, resource limits and usage. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

/* More descriptors than any caller keeps on purpose; bounds the child's stack use. */
#define PP_FORK_MAX_KEPT 256
/* Highest descriptor the fallback loop closes when close_range is missing. */
#define PP_FORK_FALLBACK_FD_LIMIT (1 << 20)

/*
 * fork(2) with every signal blocked around it; in the child, resetSignals get SIG_DFL and,
 * when kept is not NULL, every descriptor but 0-2 and kept[] is closed, before the mask is
 * restored. The one fork path of both exports below.
 */
static pid_t pp_fork_reset(const int32_t* resetSignals, int32_t resetCount, const int32_t* kept, int32_t keptCount,
    int verdictRead, int verdictWrite, int32_t groupFlags);

/* Only the PP_FORK_NEW_* bits, and not both. */
static int pp_group_flags_valid(int32_t groupFlags)
{
    return groupFlags == 0 || groupFlags == PP_FORK_NEW_PROCESS_GROUP || groupFlags == PP_FORK_NEW_SESSION;
}

/* Both verdict ends given, or neither (-1, -1). */
static int pp_verdict_valid(int32_t verdictRead, int32_t verdictWrite)
{
    if (verdictRead == -1 && verdictWrite == -1)
        return 1;
    return verdictRead >= 0 && verdictWrite >= 0 && verdictRead != verdictWrite;
}

int32_t PosixProcsNative_Fork(const int32_t* resetSignals, int32_t resetCount, int32_t verdictRead, int32_t verdictWrite, int32_t groupFlags)
{
    if (resetCount < 0 || (resetCount > 0 && resetSignals == NULL) || !pp_verdict_valid(verdictRead, verdictWrite)
        || !pp_group_flags_valid(groupFlags))
    {
        errno = EINVAL;
        return -1;
    }
    return (int32_t)pp_fork_reset(resetSignals, resetCount, NULL, 0, verdictRead, verdictWrite, groupFlags);
}

static void close_fd_range(int first, int last)
{
    if (first > last)
        return;
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, (unsigned)first, (unsigned)last, 0U) == 0)
        return;
#endif
    struct rlimit nofile;
    rlim_t limit = getrlimit(RLIMIT_NOFILE, &nofile) == 0 ? nofile.rlim_cur : 1024;
    if (limit == RLIM_INFINITY || limit > PP_FORK_FALLBACK_FD_LIMIT)
        limit = PP_FORK_FALLBACK_FD_LIMIT;
    if ((rlim_t)last >= limit)
        last = (int)limit - 1;
    for (int fd = first; fd <= last; fd++)
        close(fd); /* EBADF for the many that are not open: nothing to do */
}

void pp_close_all_but(const int32_t* keep, int32_t keepCount)
{
    int next = 3;
    for (int32_t i = 0; i < keepCount; i++)
    {
        close_fd_range(next, keep[i] - 1);
        next = keep[i] + 1;
    }
    close_fd_range(next, INT32_MAX);
}

int32_t PosixProcsNative_ForkClosingDescriptors(const int32_t* resetSignals, int32_t resetCount, const int32_t* keep, int32_t keepCount,
    int32_t verdictRead, int32_t verdictWrite, int32_t groupFlags)
{
    if (resetCount < 0 || (resetCount > 0 && resetSignals == NULL)
        || keepCount < 0 || keepCount > PP_FORK_MAX_KEPT || (keepCount > 0 && keep == NULL)
        || !pp_verdict_valid(verdictRead, verdictWrite) || !pp_group_flags_valid(groupFlags))
    {
        errno = EINVAL;
        return -1;
    }
    /* Sorted and checked before the fork: the child only closes. */
    int32_t sorted[PP_FORK_MAX_KEPT];
    int32_t sortedCount = 0;
    for (int32_t i = 0; i < keepCount; i++)
    {
        int32_t fd = keep[i];
        if (fd < 0)
        {
            errno = EBADF;
            return -1;
        }
        if (fd < 3)
            continue;
        int32_t at = sortedCount;
        while (at > 0 && sorted[at - 1] > fd)
        {
            sorted[at] = sorted[at - 1];
            at--;
        }
        if (at > 0 && sorted[at - 1] == fd)
        {
            for (int32_t j = at; j < sortedCount; j++)
                sorted[j] = sorted[j + 1];
            continue;
        }
        sorted[at] = fd;
        sortedCount++;
    }

    return (int32_t)pp_fork_reset(resetSignals, resetCount, sorted, sortedCount, verdictRead, verdictWrite, groupFlags);
}

/* In the child: waits for the parent's verdict; returns only if it is 'Y'. */
static void pp_await_verdict(int verdictRead, int verdictWrite)
{
    close(verdictWrite); /* else a parent that dies before writing would leave this read blocked */
    char verdict = 0;
    ssize_t n;
    while ((n = read(verdictRead, &verdict, 1)) < 0 && errno == EINTR)
        ;
    close(verdictRead);
    if (n != 1 || verdict != 'Y')
        _exit(PP_FORK_ABANDONED_EXIT);
}

/* In the child, after the verdict: its own process group or session, before any signal can
 * reach it and before any code of the caller runs. Neither call can fail in a fresh child
 * (setsid fails only for a group leader, setpgid(0, 0) only for a session leader, and a
 * child's pid names no group yet); should one fail all the same, the child ends at once
 * rather than run in the caller's group, where signals meant for its group would miss it. */
static void pp_enter_group(int32_t groupFlags)
{
    if ((groupFlags & PP_FORK_NEW_SESSION) != 0 && setsid() < 0)
        _exit(PP_FORK_GROUP_FAILED_EXIT);
    if ((groupFlags & PP_FORK_NEW_PROCESS_GROUP) != 0 && setpgid(0, 0) < 0)
        _exit(PP_FORK_GROUP_FAILED_EXIT);
}

static pid_t pp_fork_reset(const int32_t* resetSignals, int32_t resetCount, const int32_t* kept, int32_t keptCount,
    int verdictRead, int verdictWrite, int32_t groupFlags)
{
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    int forkError = errno;
    if (pid > 0 && (groupFlags & PP_FORK_NEW_PROCESS_GROUP) != 0)
    {
        /* The parent moves the child too, as shells do: whichever of the two runs first, the
         * child leads its group by the time fork returns here, so a signal to the group sent
         * at once reaches it. With a verdict pipe the child is still waiting; without one it may
         * have run ahead, even exec'd (EACCES), but then it made the same setpgid itself first,
         * so a failure here changes nothing. */
        setpgid(pid, pid);
    }
    if (pid == 0)
    {
        if (verdictRead >= 0)
            pp_await_verdict(verdictRead, verdictWrite);
        pp_enter_group(groupFlags);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        for (int32_t i = 0; i < resetCount; i++)
            sigaction(resetSignals[i], &dfl, NULL);
        if (kept != NULL)
            pp_close_all_but(kept, keptCount);
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    errno = forkError;
    return pid;
}

#if defined(__linux__)
typedef struct ExitWatch {
    int32_t (*readExitCode)(void);
    int32_t unsetCode;
    int32_t periodMilliseconds;
    pid_t mainThread;
} ExitWatch;

static ExitWatch s_exitWatch;

/* Is the main thread blocked in a futex wait with no timeout (what the runtime's shutdown
 * wait for the finalizer thread looks like)? From /proc/self/task/TID/syscall:
 * "NR arg1 .. arg6 sp pc" while in a system call, "running" otherwise. */
static int main_thread_waits_without_limit(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)s_exitWatch.mainThread);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[256];
    ssize_t n;
    while ((n = read(fd, text, sizeof(text) - 1)) < 0 && errno == EINTR)
        ;
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    char* cursor = text;
    unsigned long long fields[5];
    for (int i = 0; i < 5; i++)
    {
        char* end;
        errno = 0;
        fields[i] = strtoull(cursor, &end, 0);
        if (end == cursor || errno != 0)
            return 0; /* "running", or a format we do not know */
        cursor = end;
    }
    int op = (int)(fields[2] & FUTEX_CMD_MASK);
    return fields[0] == (unsigned long long)SYS_futex
        && (op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET)
        && fields[4] == 0;
}

static void* exit_watch_main(void* unused)
{
    (void)unused;
    struct timespec period = {
        .tv_sec = s_exitWatch.periodMilliseconds / 1000,
        .tv_nsec = (long)(s_exitWatch.periodMilliseconds % 1000) * 1000000L,
    };
    int seen = 0;
    for (;;)
    {
        nanosleep(&period, NULL);
        int32_t code = s_exitWatch.readExitCode();
        int exiting = code != s_exitWatch.unsetCode && main_thread_waits_without_limit();
        if (exiting && seen)
            _exit(code & 0xFF);
        seen = exiting;
    }
    return NULL;
}
#endif

int32_t PosixProcsNative_StartExitWatch(int32_t (*readExitCode)(void), int32_t unsetCode, int32_t periodMilliseconds)
{
#if defined(__linux__)
    if (readExitCode == NULL || periodMilliseconds <= 0)
    {
        errno = EINVAL;
        return -1;
    }
    s_exitWatch.readExitCode = readExitCode;
    s_exitWatch.unsetCode = unsetCode;
    s_exitWatch.periodMilliseconds = periodMilliseconds;
    s_exitWatch.mainThread = (pid_t)syscall(SYS_gettid);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    /* Every signal blocked in the watch: signals keep going to the threads the runtime knows. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    int error = pthread_create(&thread, &attributes, exit_watch_main, NULL);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    if (error != 0)
    {
        errno = error;
        return -1;
    }
    return 0;
#else
    (void)readExitCode;
    (void)unsetCode;
    (void)periodMilliseconds;
    errno = ENOTSUP;
    return -1;
#endif
}

int pp_native_wait_options(int32_t portable)
{
    if ((portable & ~(PP_WNOHANG | PP_WUNTRACED | PP_WCONTINUED)) != 0)
        return -1;
    int native = 0;
    if (portable & PP_WNOHANG)
        native |= WNOHANG;
    if (portable & PP_WUNTRACED)
        native |= WUNTRACED;
    if (portable & PP_WCONTINUED)
        native |= WCONTINUED;
    return native;
}

int32_t PosixProcsNative_WaitPid(int32_t pid, int32_t* status, int32_t options)
{
    int native = pp_native_wait_options(options);
    if (pid <= 0 || status == NULL || native < 0)
    {
        errno = EINVAL;
        return -1;
    }
    int raw = 0;
    pid_t rc;
    while ((rc = waitpid((pid_t)pid, &raw, native)) < 0 && errno == EINTR)
        ;
    *status = rc > 0 ? raw : 0;
    return (int32_t)rc;
}

/* Fixed-width, fixed-unit copy of a struct rusage: ru_maxrss is KiB on Linux, bytes on macOS. */
static void fill_usage(const struct rusage* ru, PosixProcsResourceUsage* usage);

int32_t PosixProcsNative_WaitPidWithUsage(int32_t pid, int32_t* status, int32_t options, PosixProcsResourceUsage* usage)
{
    int native = pp_native_wait_options(options);
    if (pid <= 0 || status == NULL || usage == NULL || native < 0)
    {
        errno = EINVAL;
        return -1;
    }
    int raw = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    pid_t rc;
    /* wait4 (BSD, also in glibc and macOS): the usage of exactly this child, where
     * getrusage(RUSAGE_CHILDREN) would sum every child reaped so far, by anyone. */
    while ((rc = wait4((pid_t)pid, &raw, native, &ru)) < 0 && errno == EINTR)
        ;
    *status = rc > 0 ? raw : 0;
    if (rc > 0)
        fill_usage(&ru, usage);
    else
        memset(usage, 0, sizeof(*usage));
    return (int32_t)rc;
}

int32_t PosixProcsNative_DecodeWaitStatus(int32_t raw, PosixProcsWaitStatusParts* parts)
{
    int s = raw;
    parts->exited = WIFEXITED(s) ? 1 : 0;
    parts->exitCode = WIFEXITED(s) ? WEXITSTATUS(s) : 0;
    parts->signaled = WIFSIGNALED(s) ? 1 : 0;
    parts->termSignal = WIFSIGNALED(s) ? WTERMSIG(s) : 0;
#if defined(WCOREDUMP)
    parts->coreDumped = WIFSIGNALED(s) && WCOREDUMP(s) ? 1 : 0;
#else
    parts->coreDumped = 0;
#endif
    parts->stopped = WIFSTOPPED(s) ? 1 : 0;
    parts->stopSignal = WIFSTOPPED(s) ? WSTOPSIG(s) : 0;
    parts->continued = WIFCONTINUED(s) ? 1 : 0;
    return 0;
}

int32_t PosixProcsNative_PidfdOpen(int32_t pid)
{
#if defined(__linux__) && defined(SYS_pidfd_open)
    /* The raw syscall, so an older glibc without the wrapper still works.
     * pidfd_open's descriptor is always close-on-exec. */
    return (int32_t)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int32_t PosixProcsNative_SetParentDeathSignal(int32_t nativeSignal)
{
#if defined(__linux__)
    return prctl(PR_SET_PDEATHSIG, (unsigned long)nativeSignal, 0UL, 0UL, 0UL) < 0 ? -1 : 0;
#else
    /* No prctl: a watcher thread sends the signal when the parent process exits.
     * It cannot be cleared, and it does not survive exec. */
    if (nativeSignal == 0)
    {
        errno = ENOTSUP;
        return -1;
    }
    return PosixProcsNative_WatchParentExit(nativeSignal);
#endif
}

int32_t PosixProcsNative_SetChildSubreaper(int32_t enabled)
{
#if defined(__linux__)
    return prctl(PR_SET_CHILD_SUBREAPER, enabled ? 1UL : 0UL, 0UL, 0UL, 0UL) < 0 ? -1 : 0;
#else
    (void)enabled;
    errno = ENOTSUP;
    return -1;
#endif
}

int32_t PosixProcsNative_GetChildSubreaper(void)
{
#if defined(__linux__)
    int value = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&value, 0UL, 0UL, 0UL) < 0)
        return -1;
    return value ? 1 : 0;
#else
    errno = ENOTSUP;
    return -1;
#endif
}

int pp_native_rlimit_resource(int32_t portable)
{
    switch (portable)
    {
        case PP_RLIMIT_CPU: return RLIMIT_CPU;
        case PP_RLIMIT_FSIZE: return RLIMIT_FSIZE;
        case PP_RLIMIT_DATA: return RLIMIT_DATA;
        case PP_RLIMIT_STACK: return RLIMIT_STACK;
        case PP_RLIMIT_CORE: return RLIMIT_CORE;
        case PP_RLIMIT_NOFILE: return RLIMIT_NOFILE;
        case PP_RLIMIT_AS: return RLIMIT_AS;
        case PP_RLIMIT_NPROC: return RLIMIT_NPROC;
        default: return -1;
    }
}

static rlim_t to_native_rlim(uint64_t value)
{
    return value == PP_RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)value;
}

static uint64_t from_native_rlim(rlim_t value)
{
    return value == RLIM_INFINITY ? PP_RLIM_INFINITY : (uint64_t)value;
}

int32_t PosixProcsNative_SetResourceLimit(const PosixProcsResourceLimit* limit)
{
    int resource = limit == NULL ? -1 : pp_native_rlimit_resource(limit->resource);
    if (resource < 0)
    {
        errno = EINVAL;
        return -1;
    }
    struct rlimit native = { .rlim_cur = to_native_rlim(limit->soft), .rlim_max = to_native_rlim(limit->hard) };
    return setrlimit(resource, &native) < 0 ? -1 : 0;
}

int32_t PosixProcsNative_GetResourceLimit(PosixProcsResourceLimit* limit)
{
    int resource = limit == NULL ? -1 : pp_native_rlimit_resource(limit->resource);
    if (resource < 0)
    {
        errno = EINVAL;
        return -1;
    }
    struct rlimit native;
    if (getrlimit(resource, &native) < 0)
        return -1;
    limit->soft = from_native_rlim(native.rlim_cur);
    limit->hard = from_native_rlim(native.rlim_max);
    return 0;
}

static int64_t timeval_us(struct timeval tv)
{
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int32_t PosixProcsNative_GetResourceUsage(int32_t who, PosixProcsResourceUsage* usage)
{
    int native;
    switch (who)
    {
        case PP_RUSAGE_SELF: native = RUSAGE_SELF; break;
        case PP_RUSAGE_CHILDREN: native = RUSAGE_CHILDREN; break;
#if defined(RUSAGE_THREAD)
        case PP_RUSAGE_THREAD: native = RUSAGE_THREAD; break;
#else
        case PP_RUSAGE_THREAD: errno = ENOTSUP; return -1;
#endif
        default: errno = EINVAL; return -1;
    }
    if (usage == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    struct rusage ru;
    if (getrusage(native, &ru) < 0)
        return -1;
    fill_usage(&ru, usage);
    return 0;
}

static void fill_usage(const struct rusage* ru, PosixProcsResourceUsage* usage)
{
    usage->userTimeMicroseconds = timeval_us(ru->ru_utime);
    usage->systemTimeMicroseconds = timeval_us(ru->ru_stime);
#if defined(__APPLE__)
    usage->maxResidentSetBytes = (int64_t)ru->ru_maxrss;
#else
    usage->maxResidentSetBytes = (int64_t)ru->ru_maxrss * 1024;
#endif
    usage->minorFaults = ru->ru_minflt;
    usage->majorFaults = ru->ru_majflt;
    usage->voluntaryContextSwitches = ru->ru_nvcsw;
    usage->involuntaryContextSwitches = ru->ru_nivcsw;
}
