/*
 * The fork-safe spawn path: fork+exec entirely in C, so that no managed code (no JIT,
 * no GC, no runtime lock) runs in the child. Modelled on what glibc's posix_spawn and
 * dotnet/runtime's pal_process.c do; see posixprocs.h for the contract.
 */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__linux__)
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#endif

#define PP_SPAWN_CHILD_STACK (64 * 1024)
/* Highest descriptor the fallback loop marks close-on-exec when close_range is missing. */
#define PP_SPAWN_FALLBACK_FD_LIMIT (1 << 20)

typedef struct SpawnFailure {
    int32_t step;
    int32_t error;
} SpawnFailure;

typedef struct ChildArgs {
    const PosixProcsSpawnRequest* request;
    int errorPipe;
    pid_t parentPid;
    pid_t processGroup; /* PP_SPAWN_GROUP_FROM_FLAGS, 0 (a new group) or a group to join */
} ChildArgs;

/* Child side only from here to child_main: async-signal-safe calls, no allocation. */

__attribute__((noreturn)) static void report_and_exit(int errorPipe, int32_t step, int error)
{
    SpawnFailure failure = { .step = step, .error = error };
    ssize_t n;
    while ((n = write(errorPipe, &failure, sizeof(failure))) < 0 && errno == EINTR)
        ;
    _exit(127);
}

#if defined(__linux__)
/* The kernel's struct sigaction (x86_64, arm64 and the generic layout). */
struct pp_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};
#endif

static void reset_signal_dispositions(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
    {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if (sigaction(sig, &dfl, NULL) == 0)
            continue;
#if defined(__linux__)
        /* glibc refuses its own signals (32 and 33) with EINVAL, but an ignored one is
         * inherited through exec: seen under make, which left both ignored. Ask the kernel. */
        struct pp_kernel_sigaction kernel_dfl = { .handler = SIG_DFL, .flags = 0, .restorer = NULL, .mask = 0 };
        syscall(SYS_rt_sigaction, sig, &kernel_dfl, NULL, sizeof(kernel_dfl.mask));
#endif
    }
}

static void mark_all_close_on_exec(void)
{
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, 0U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
#endif
    struct rlimit nofile;
    rlim_t limit = getrlimit(RLIMIT_NOFILE, &nofile) == 0 ? nofile.rlim_cur : 1024;
    if (limit == RLIM_INFINITY || limit > PP_SPAWN_FALLBACK_FD_LIMIT)
        limit = PP_SPAWN_FALLBACK_FD_LIMIT;
    for (int fd = 0; fd < (int)limit; fd++)
    {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC))
            fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* Whether installing the request's descriptor map writes over fd: some entry puts a
 * different source on that number. `keptAs` is the source that may legitimately own it. */
static int is_overwritten_by_map(const PosixProcsSpawnRequest* request, int fd, int keptAs)
{
    for (int32_t i = 0; i < request->fdMapCount; i++)
    {
        int parentFd = request->fdMap[i].parentFd;
        if (request->fdMap[i].childFd == fd && parentFd >= 0 && parentFd != keptAs)
            return 1;
    }
    return 0;
}

/* A close-on-exec copy of fd numbered above every target. */
static int move_above(int fd, int highestTarget)
{
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, highestTarget + 1);
    /* EINVAL: the first number above the targets is already past RLIMIT_NOFILE, so no
     * descriptor is left for the copy; that is what EMFILE says. */
    if (moved < 0 && errno == EINVAL)
        errno = EMFILE;
    return moved;
}

static int child_main(void* arg)
{
    const ChildArgs* args = (const ChildArgs*)arg;
    const PosixProcsSpawnRequest* request = args->request;
    int errorPipe = args->errorPipe;

    reset_signal_dispositions();

    if (request->flags & PP_SPAWN_NEW_SESSION)
    {
        if (setsid() < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_SETSID, errno);
        /* A session leader without a controlling terminal acquires this one; the slave's
         * number in the parent is still open here (the child has its own descriptor table). */
        if (request->controllingTerminal >= 0 && ioctl(request->controllingTerminal, TIOCSCTTY, 0) < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_CONTROLLING_TERMINAL, errno);
    }
    else if (request->flags & PP_SPAWN_NEW_PROCESS_GROUP)
    {
        if (setpgid(0, 0) < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_SETPGID, errno);
    }
    else if (args->processGroup != PP_SPAWN_GROUP_FROM_FLAGS)
    {
        /* A pipeline's stage: before exec, so a signal to the group never misses a stage
         * (the parent only goes on once this child has exec'd or reported). */
        if (setpgid(0, args->processGroup) < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_SETPGID, errno);
    }

#if defined(__linux__)
    if (request->parentDeathSignal != 0)
    {
        if (prctl(PR_SET_PDEATHSIG, (unsigned long)request->parentDeathSignal, 0UL, 0UL, 0UL) < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_PDEATHSIG, errno);
        /* The parent may have died before prctl took effect: then no signal will come. */
        if (getppid() != args->parentPid)
            report_and_exit(errorPipe, PP_SPAWN_STEP_PDEATHSIG, ESRCH);
    }
#endif

    /* A source (or the error pipe) must move only if installing some other entry would
     * overwrite it first; it then moves above every target number. Nothing else moves:
     * the child has the parent's descriptor table, so near RLIMIT_NOFILE every spare
     * number counts (moving all sources above the highest source number needed numbers
     * beyond the limit: fcntl gave EINVAL for a spawn that had all it needed). */
    int highestTarget = -1;
    for (int32_t i = 0; i < request->fdMapCount; i++)
    {
        if (request->fdMap[i].childFd > highestTarget)
            highestTarget = request->fdMap[i].childFd;
    }
    if (is_overwritten_by_map(request, errorPipe, -1))
    {
        int movedErrorPipe = move_above(errorPipe, highestTarget);
        if (movedErrorPipe < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_DUP2, errno);
        errorPipe = movedErrorPipe;
    }

    int sources[PP_SPAWN_MAX_FDS];
    for (int32_t i = 0; i < request->fdMapCount; i++)
    {
        int parentFd = request->fdMap[i].parentFd;
        sources[i] = parentFd;
        if (parentFd >= 0 && is_overwritten_by_map(request, parentFd, parentFd))
        {
            sources[i] = move_above(parentFd, highestTarget);
            if (sources[i] < 0)
                report_and_exit(errorPipe, PP_SPAWN_STEP_DUP2, errno);
        }
    }

    /* Nothing is inherited unless it was asked for: every descriptor closes at exec,
     * then dup2 installs the requested ones without the flag (a source already on its
     * target only loses the flag: dup2 onto itself would leave it set). */
    mark_all_close_on_exec();
    for (int32_t i = 0; i < request->fdMapCount; i++)
    {
        if (sources[i] < 0)
            continue;
        int childFd = request->fdMap[i].childFd;
        int rc;
        if (sources[i] == childFd)
        {
            int flags = fcntl(childFd, F_GETFD);
            rc = flags < 0 ? -1 : fcntl(childFd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        else
        {
            while ((rc = dup2(sources[i], childFd)) < 0 && errno == EINTR)
                ;
        }
        if (rc < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_DUP2, errno);
    }

    /* Limits come after the descriptors: a low RLIMIT_NOFILE would otherwise forbid the
     * high temporary numbers used above. */
    for (int32_t i = 0; i < request->limitCount; i++)
    {
        if (PosixProcsNative_SetResourceLimit(&request->limits[i]) < 0)
            report_and_exit(errorPipe, PP_SPAWN_STEP_SETRLIMIT, errno);
    }

    if (request->workingDirectory != NULL && chdir(request->workingDirectory) < 0)
        report_and_exit(errorPipe, PP_SPAWN_STEP_CHDIR, errno);

    /* The raw system call, not sigprocmask: glibc's wrapper treats its own internal signals
     * (32 and 33) specially, and a spawned child was seen with signal 32 still blocked. */
    sigset_t none;
    sigemptyset(&none);
#if defined(__linux__)
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, (size_t)(_NSIG / 8));
#else
    sigprocmask(SIG_SETMASK, &none, NULL);
#endif

    execve(request->path, request->argv, request->envp);
    report_and_exit(errorPipe, PP_SPAWN_STEP_EXEC, errno);
}

/* Parent side. */

int pp_spawn_request_is_valid(const PosixProcsSpawnRequest* request)
{
    if (request == NULL || request->path == NULL || request->argv == NULL || request->envp == NULL)
        return 0;
    if ((request->flags & ~(PP_SPAWN_NEW_PROCESS_GROUP | PP_SPAWN_NEW_SESSION)) != 0)
        return 0;
    if (request->fdMapCount < 0 || request->fdMapCount > PP_SPAWN_MAX_FDS || (request->fdMapCount > 0 && request->fdMap == NULL))
        return 0;
    if (request->limitCount < 0 || (request->limitCount > 0 && request->limits == NULL))
        return 0;
    if (request->parentDeathSignal < 0 || request->parentDeathSignal >= NSIG)
        return 0;
    if (request->controllingTerminal < -1 || (request->controllingTerminal >= 0 && !(request->flags & PP_SPAWN_NEW_SESSION)))
        return 0;
    for (int32_t i = 0; i < request->fdMapCount; i++)
    {
        if (request->fdMap[i].childFd < 0)
            return 0;
        for (int32_t j = 0; j < i; j++)
        {
            if (request->fdMap[j].childFd == request->fdMap[i].childFd)
                return 0;
        }
    }
    for (int32_t i = 0; i < request->limitCount; i++)
    {
        if (pp_native_rlimit_resource(request->limits[i].resource) < 0)
            return 0;
    }
    return 1;
}

int32_t PosixProcsNative_Spawn(const PosixProcsSpawnRequest* request, int32_t* pid, int32_t* failedStep)
{
    if (pid == NULL || failedStep == NULL || !pp_spawn_request_is_valid(request))
    {
        errno = EINVAL;
        return -1;
    }
    return pp_spawn_in_group(request, PP_SPAWN_GROUP_FROM_FLAGS, pid, failedStep);
}

int32_t pp_spawn_in_group(const PosixProcsSpawnRequest* request, pid_t processGroup, int32_t* pid, int32_t* failedStep)
{
    *pid = -1;
    *failedStep = PP_SPAWN_STEP_NONE;

    int32_t errorPipe[2];
#if defined(__linux__)
    /* With CLONE_VFORK the child has exec'd or exited when clone returns, so a
     * non-blocking read sees every report; a write end that an unrelated concurrent
     * fork inherited can then not make us wait. */
    int32_t pipeFlags = PP_FD_CLOEXEC | PP_FD_NONBLOCK;
#else
    int32_t pipeFlags = PP_FD_CLOEXEC;
#endif
    if (PosixProcsNative_Pipe(errorPipe, pipeFlags) < 0)
    {
        *failedStep = PP_SPAWN_STEP_PIPE;
        return -1;
    }

    ChildArgs args = { .request = request, .errorPipe = errorPipe[1], .parentPid = getpid(), .processGroup = processGroup };

    /* Runtime signal handlers must not run in the child before it resets them. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);

    pid_t child;
    int forkError = 0;
#if defined(__linux__)
    void* stack = mmap(NULL, PP_SPAWN_CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
    {
        child = -1;
        forkError = errno;
    }
    else
    {
        child = clone(child_main, (char*)stack + PP_SPAWN_CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
        forkError = errno;
        munmap(stack, PP_SPAWN_CHILD_STACK);
    }
#else
    child = fork();
    if (child == 0)
        child_main(&args);
    forkError = errno;
#endif

    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(errorPipe[1]);

    if (child < 0)
    {
        close(errorPipe[0]);
        *failedStep = PP_SPAWN_STEP_FORK;
        errno = forkError;
        return -1;
    }

    SpawnFailure failure;
    ssize_t n;
    while ((n = read(errorPipe[0], &failure, sizeof(failure))) < 0 && errno == EINTR)
        ;
    close(errorPipe[0]);

    if (n == (ssize_t)sizeof(failure))
    {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
        *failedStep = failure.step;
        errno = failure.error;
        return -1;
    }

    *pid = (int32_t)child;
    return 0;
}
