/*
 * posixprocs.h: the native shim under PosixProcs.
 *
 * It holds only what managed code cannot do safely or portably:
 *   - the fork+exec spawn path (no managed code may run between fork and exec);
 *   - platform constants and struct layouts that differ between Linux and macOS;
 *   - EINTR retry loops, so managed callers never see EINTR.
 *
 * Conventions, for every export below unless its comment says otherwise:
 *   - Return 0 (or a documented non-negative value) on success, -1 on failure with
 *     errno set to the platform's native errno value. The managed side translates it.
 *   - EINTR is retried inside; -1/EINTR is never returned.
 *   - Only fixed-width integer types and pointers cross the boundary.
 *   - Flags and ids are the portable PP_* values defined here, translated in C.
 *   - [out] marks a pointer the function writes; [in] one it only reads.
 */
#ifndef POSIXPROCS_H
#define POSIXPROCS_H

#include <stdint.h>

#if defined(__GNUC__)
#define PP_EXPORT __attribute__((visibility("default")))
#else
#define PP_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- descriptors ------------------------------------------------------------- */

/* Portable descriptor flags for PosixProcsNative_Pipe and PosixProcsNative_SocketPair. */
enum {
    PP_FD_CLOEXEC = 1,  /* close-on-exec on both ends */
    PP_FD_NONBLOCK = 2  /* O_NONBLOCK on both ends */
};

/*
 * Creates a pipe. fds[0] is the read end, fds[1] the write end.
 * Uses pipe2 on Linux (atomic flags); elsewhere pipe + fcntl, which is racy against
 * a concurrent fork in native code, as on every platform without pipe2.
 *   fds   [out] the two descriptors.
 *   flags PP_FD_* bits.
 */
PP_EXPORT int32_t PosixProcsNative_Pipe(int32_t* fds, int32_t flags);

/*
 * Creates a connected pair of AF_UNIX stream sockets (a bidirectional channel).
 *   fds   [out] the two descriptors.
 *   flags PP_FD_* bits.
 */
PP_EXPORT int32_t PosixProcsNative_SocketPair(int32_t* fds, int32_t flags);

/*
 * read(2) with EINTR retried. Returns bytes read (0 = end of file) or -1.
 *   buf [out] count bytes of space.
 */
PP_EXPORT int64_t PosixProcsNative_Read(int32_t fd, void* buf, int64_t count);

/*
 * write(2) with EINTR retried; one write, which may be partial. Returns bytes written or -1.
 * A write to a pipe with no reader fails with EPIPE (the process ignores SIGPIPE: the
 * .NET runtime sets it to SIG_IGN at start-up).
 *   buf [in] count bytes.
 */
PP_EXPORT int64_t PosixProcsNative_Write(int32_t fd, const void* buf, int64_t count);

/* Returns 1 if FD_CLOEXEC is set on fd, 0 if not, -1 on error. */
PP_EXPORT int32_t PosixProcsNative_GetCloseOnExec(int32_t fd);

/* Sets (enabled != 0) or clears FD_CLOEXEC on fd. */
PP_EXPORT int32_t PosixProcsNative_SetCloseOnExec(int32_t fd, int32_t enabled);

/* Returns 1 if O_NONBLOCK is set on fd, 0 if not, -1 on error. */
PP_EXPORT int32_t PosixProcsNative_GetNonBlocking(int32_t fd);

/* Sets (enabled != 0) or clears O_NONBLOCK on fd. */
PP_EXPORT int32_t PosixProcsNative_SetNonBlocking(int32_t fd, int32_t enabled);

/*
 * dup(2) of fd to the lowest free descriptor >= minFd, close-on-exec (F_DUPFD_CLOEXEC).
 * Returns the new descriptor or -1.
 */
PP_EXPORT int32_t PosixProcsNative_DuplicateCloseOnExec(int32_t fd, int32_t minFd);

/* Portable poll events. */
enum {
    PP_POLLIN = 1,
    PP_POLLOUT = 2,
    PP_POLLERR = 4,
    PP_POLLHUP = 8,
    PP_POLLNVAL = 16
};

/*
 * Waits for events on one descriptor. EINTR is retried with the time that remains.
 *   events     PP_POLL* bits to wait for.
 *   timeoutMs  milliseconds; -1 waits forever; 0 polls.
 *   revents    [out] PP_POLL* bits that happened (0 on timeout).
 * Returns 1 when an event happened, 0 on timeout, -1 on error.
 */
PP_EXPORT int32_t PosixProcsNative_Poll(int32_t fd, int32_t events, int32_t timeoutMs, int32_t* revents);

/*
 * Waits for events on several descriptors (poll). EINTR is retried with the time left.
 *   fds     [in] count descriptors; a negative one is skipped.
 *   events  [in] count PP_POLL* sets.
 *   revents [out] count PP_POLL* sets that happened.
 *   timeoutMs -1 waits forever.
 * Returns the number of descriptors with events, 0 on timeout, -1 on error.
 */
PP_EXPORT int32_t PosixProcsNative_PollMany(const int32_t* fds, const int32_t* events, int32_t* revents, int32_t count, int32_t timeoutMs);

/* Linux: the capacity of the pipe behind fd (F_GETPIPE_SZ). Elsewhere -1 with ENOTSUP. */
PP_EXPORT int32_t PosixProcsNative_GetPipeCapacity(int32_t fd);

/* ---- processes --------------------------------------------------------------- */

/* Portable waitpid options. */
enum {
    PP_WNOHANG = 1,
    PP_WUNTRACED = 2,
    PP_WCONTINUED = 4
};

/*
 * waitpid(2) on one specific child, EINTR retried. pid must be > 0: PosixProcs never
 * waits for "any child", so System.Diagnostics.Process keeps its own children.
 *   status  [out] the raw wait status (decode with the W* macros or the managed decoder).
 *   options PP_W* bits.
 * Returns the pid, 0 when PP_WNOHANG is given and the child has not changed state, or -1.
 */
PP_EXPORT int32_t PosixProcsNative_WaitPid(int32_t pid, int32_t* status, int32_t options);

/*
 * fork(2) for a child that will run managed code. All signals are blocked around the
 * fork; in the child, each signal in resetSignals gets SIG_DFL before the mask is
 * restored. Without this, a signal that reaches the child early runs the runtime's
 * handler, which forwards it through a pipe the child shares with the PARENT: the parent
 * then acts on the child's SIGTERM (measured: the parent exited with status 143).
 *   resetSignals [in] resetCount native signal numbers.
 *   verdictRead, verdictWrite  the two ends of a pipe, or -1 and -1. With a pipe, the child
 *       closes the write end and waits, before anything else runs in it, for one byte the
 *       parent writes once it has checked that no other thread ran while it forked: 'Y' and
 *       the child goes on (the read end closed); anything else, or end of file, and the child
 *       ends at once with _exit(PP_FORK_ABANDONED_EXIT) (the parent reaps it). A thread that
 *       ran at the moment of the fork may have held a runtime lock, which the child inherits
 *       held by nobody: its first use of that lock would hang it for ever.
 *   groupFlags  0, PP_FORK_NEW_PROCESS_GROUP or PP_FORK_NEW_SESSION (below): done in the child
 *       right after the verdict, before the signal reset; in the parent too for a group.
 * Returns the child's pid in the parent, 0 in the child, -1 on failure (EINVAL for bad
 * arguments, the verdict ends or groupFlags included).
 */
PP_EXPORT int32_t PosixProcsNative_Fork(const int32_t* resetSignals, int32_t resetCount, int32_t verdictRead, int32_t verdictWrite,
    int32_t groupFlags);

/* How a child abandoned by its parent's verdict ends (see PosixProcsNative_Fork). */
#define PP_FORK_ABANDONED_EXIT 0

/* groupFlags of PosixProcsNative_Fork and PosixProcsNative_ForkClosingDescriptors: 0 (the
 * child stays in the caller's process group) or one of these. */
enum {
    PP_FORK_NEW_PROCESS_GROUP = 1, /* setpgid(0, 0) in the child, and setpgid(child, child) in the
                                      parent before fork returns, so the child leads its group by
                                      then whichever runs first (as shells do) */
    PP_FORK_NEW_SESSION = 2        /* setsid() in the child (a new session and group, no
                                      controlling terminal). The parent cannot do it for the child:
                                      it leads its session once it has run past the verdict; the
                                      caller waits for getpgid(child) == child if it needs that */
};

/* How a child ends whose setsid or setpgid failed (never seen: see pp_enter_group). */
#define PP_FORK_GROUP_FAILED_EXIT 125

/*
 * PosixProcsNative_Fork, and in the child, right after the verdict, the process group and the
 * signal reset and before any other code runs, closes every descriptor from 3 up except those in keep (close_range(2) where the
 * kernel has it, else a close loop up to RLIMIT_NOFILE). Descriptors 0-2 always stay.
 *   keep [in] keepCount descriptors to keep, in any order, at most 256; duplicates and 0-2 are fine.
 * Returns as PosixProcsNative_Fork; -1 with EINVAL for bad counts, EBADF for a negative descriptor.
 */
PP_EXPORT int32_t PosixProcsNative_ForkClosingDescriptors(const int32_t* resetSignals, int32_t resetCount, const int32_t* keep, int32_t keepCount,
    int32_t verdictRead, int32_t verdictWrite, int32_t groupFlags);

/*
 * Linux: starts a native thread (unknown to the managed runtime, all signals blocked) in a
 * forked child that ends the process with _exit(code & 0xFF) once readExitCode() returns a
 * code other than unsetCode while the calling (main) thread is blocked in a futex wait with no
 * timeout, on two checks periodMilliseconds apart. It makes Environment.Exit work in a forked
 * child, where the runtime's own exit waits for ever for a finalizer thread fork did not copy.
 *   readExitCode [in] returns the latched exit code; must be callable from a thread the runtime does not know.
 * Returns 0, or -1 with errno (EINVAL; pthread_create's error). Elsewhere -1 with ENOTSUP.
 */
PP_EXPORT int32_t PosixProcsNative_StartExitWatch(int32_t (*readExitCode)(void), int32_t unsetCode, int32_t periodMilliseconds);

/* Parts of a raw wait status, decoded by the platform's own W* macros (for ABI tests). */
typedef struct PosixProcsWaitStatusParts {
    int32_t exited;      /* WIFEXITED */
    int32_t exitCode;    /* WEXITSTATUS */
    int32_t signaled;    /* WIFSIGNALED */
    int32_t termSignal;  /* WTERMSIG (native number) */
    int32_t coreDumped;  /* WCOREDUMP */
    int32_t stopped;     /* WIFSTOPPED */
    int32_t stopSignal;  /* WSTOPSIG (native number) */
    int32_t continued;   /* WIFCONTINUED */
} PosixProcsWaitStatusParts;

/* Decodes raw with the platform's macros. parts [out]. Always returns 0. */
PP_EXPORT int32_t PosixProcsNative_DecodeWaitStatus(int32_t raw, PosixProcsWaitStatusParts* parts);

/*
 * Linux: pidfd_open(2); the descriptor is close-on-exec and becomes readable when the
 * process exits. Elsewhere -1 with ENOSYS.
 */
PP_EXPORT int32_t PosixProcsNative_PidfdOpen(int32_t pid);

/* Linux: prctl(PR_SET_PDEATHSIG, nativeSignal) on the calling process: it receives the
 * signal when the THREAD that created it exits (not only the parent process); nativeSignal 0
 * clears it. Elsewhere (macOS, the BSDs): PosixProcsNative_WatchParentExit(nativeSignal),
 * which fires when the parent PROCESS exits and does not survive exec; 0 is -1/ENOTSUP there.
 * Returns 0 or -1 with errno. */
PP_EXPORT int32_t PosixProcsNative_SetParentDeathSignal(int32_t nativeSignal);

/* errno conversion, in one place (native/pp_errno.c): portable values are PosixProcs' own
 * (0x10000 + n, listed with their C names in native/pp_errno.h), never a platform's.
 * ConvertErrnoToPortable returns -1 for an errno without a portable name (the caller keeps the
 * native value); EOPNOTSUPP reads as ENOTSUP where the two differ (macOS).
 * ConvertErrnoToNative returns -1 for an unknown portable value. */
PP_EXPORT int32_t PosixProcsNative_ConvertErrnoToPortable(int32_t nativeErrno);
PP_EXPORT int32_t PosixProcsNative_ConvertErrnoToNative(int32_t portableErrno);

/* The C name ("EMFILE") of a portable errno value, or NULL. A static string. */
PP_EXPORT const char* PosixProcsNative_GetErrnoName(int32_t portableErrno);

/* strerror_r(nativeErrno) into buffer [out] (size bytes, NUL-terminated). 0, or -1 with errno. */
PP_EXPORT int32_t PosixProcsNative_StrError(int32_t nativeErrno, char* buffer, int32_t size);

/* Starts a detached thread in the calling process that waits for the current parent process
 * to exit (kqueue EVFILT_PROC NOTE_EXIT on macOS and the BSDs, a pidfd on Linux) and then
 * sends nativeSignal (> 0) to the calling process. If the parent is already gone the signal
 * is sent at once. Returns 0, or -1 with errno (EINVAL, ENOSYS, ENOMEM, EAGAIN; ENOTSUP where
 * neither mechanism exists). macOS uses it for the parent-death signal; on Linux, where
 * prctl does that, it is exported so the mechanism is tested. */
PP_EXPORT int32_t PosixProcsNative_WatchParentExit(int32_t nativeSignal);

/* Linux: prctl(PR_SET_CHILD_SUBREAPER, enabled). Elsewhere -1 with ENOTSUP. */
PP_EXPORT int32_t PosixProcsNative_SetChildSubreaper(int32_t enabled);

/* Linux: returns 1 if this process is a child subreaper, 0 if not. Elsewhere -1/ENOTSUP. */
PP_EXPORT int32_t PosixProcsNative_GetChildSubreaper(void);

/* Portable resource ids for setrlimit. */
enum {
    PP_RLIMIT_CPU = 0,     /* CPU seconds */
    PP_RLIMIT_FSIZE = 1,   /* largest file written, bytes */
    PP_RLIMIT_DATA = 2,    /* data segment, bytes */
    PP_RLIMIT_STACK = 3,   /* stack, bytes */
    PP_RLIMIT_CORE = 4,    /* core file, bytes */
    PP_RLIMIT_NOFILE = 5,  /* open descriptors */
    PP_RLIMIT_AS = 6,      /* address space, bytes */
    PP_RLIMIT_NPROC = 7    /* processes of this user */
};

/* The value that means "no limit" in PosixProcsResourceLimit. */
#define PP_RLIM_INFINITY UINT64_MAX

typedef struct PosixProcsResourceLimit {
    int32_t resource;  /* PP_RLIMIT_* */
    int32_t reserved;  /* keep 0; aligns the limits */
    uint64_t soft;     /* PP_RLIM_INFINITY = unlimited */
    uint64_t hard;     /* PP_RLIM_INFINITY = unlimited */
} PosixProcsResourceLimit;

/* setrlimit(2) on the calling process. limit [in]. */
PP_EXPORT int32_t PosixProcsNative_SetResourceLimit(const PosixProcsResourceLimit* limit);

/* getrlimit(2) on the calling process. limit [in,out]: resource in, soft and hard out. */
PP_EXPORT int32_t PosixProcsNative_GetResourceLimit(PosixProcsResourceLimit* limit);

/* Resource usage, with the platform's struct rusage converted to fixed-width fields. */
typedef struct PosixProcsResourceUsage {
    int64_t userTimeMicroseconds;
    int64_t systemTimeMicroseconds;
    int64_t maxResidentSetBytes;    /* ru_maxrss: KiB on Linux, bytes on macOS; here bytes */
    int64_t minorFaults;            /* ru_minflt */
    int64_t majorFaults;            /* ru_majflt */
    int64_t voluntaryContextSwitches;
    int64_t involuntaryContextSwitches;
} PosixProcsResourceUsage;

enum {
    PP_RUSAGE_SELF = 0,
    PP_RUSAGE_CHILDREN = 1,
    PP_RUSAGE_THREAD = 2  /* Linux only; elsewhere -1/ENOTSUP */
};

/* getrusage(2). who is PP_RUSAGE_*; usage [out]. */
PP_EXPORT int32_t PosixProcsNative_GetResourceUsage(int32_t who, PosixProcsResourceUsage* usage);

/*
 * wait4(2): waitpid on one specific child (pid > 0) that also reports the resource usage
 * of exactly that child (and of the descendants it waited for), EINTR retried. Unlike
 * getrusage(RUSAGE_CHILDREN) it is right when several children run at once.
 *   status  [out] the raw wait status.
 *   options PP_W* bits.
 *   usage   [out] filled when the child was reaped (return > 0), zeroed otherwise;
 *           maxResidentSetBytes is in bytes on every platform (see PosixProcsResourceUsage).
 * Returns as PosixProcsNative_WaitPid.
 */
PP_EXPORT int32_t PosixProcsNative_WaitPidWithUsage(int32_t pid, int32_t* status, int32_t options, PosixProcsResourceUsage* usage);

/* ---- spawn ------------------------------------------------------------------- */

/* One entry of the child's descriptor table: after spawn, childFd refers to what
 * parentFd refers to in the parent. Every descriptor not named here is closed in the
 * child at exec (close-on-exec is set on all of them before exec). */
typedef struct PosixProcsFdMapping {
    int32_t childFd;
    int32_t parentFd;
} PosixProcsFdMapping;

enum {
    PP_SPAWN_NEW_PROCESS_GROUP = 1, /* setpgid(0, 0) in the child */
    PP_SPAWN_NEW_SESSION = 2        /* setsid() in the child (implies a new group) */
};

typedef struct PosixProcsSpawnRequest {
    const char* path;                      /* [in] program to execute; no PATH search */
    char* const* argv;                     /* [in] NULL-terminated */
    char* const* envp;                     /* [in] NULL-terminated */
    const char* workingDirectory;          /* [in] NULL: the parent's */
    const PosixProcsFdMapping* fdMap;      /* [in] fdMapCount entries; childFd unique */
    const PosixProcsResourceLimit* limits; /* [in] limitCount entries */
    int32_t fdMapCount;
    int32_t limitCount;
    int32_t flags;                         /* PP_SPAWN_* bits */
    int32_t parentDeathSignal;             /* native signal number; 0: none. Linux only */
    int32_t controllingTerminal;           /* -1: none. A terminal's slave side, open in the parent:
                                              the child (which needs PP_SPAWN_NEW_SESSION) makes it
                                              its controlling terminal (TIOCSCTTY) after setsid */
} PosixProcsSpawnRequest;

/* Which step of the child's set-up failed (PosixProcsNative_Spawn's failedStep). */
enum {
    PP_SPAWN_STEP_NONE = 0,
    PP_SPAWN_STEP_FORK = 1,
    PP_SPAWN_STEP_PIPE = 2,
    PP_SPAWN_STEP_SIGNALS = 3,
    PP_SPAWN_STEP_SETSID = 4,
    PP_SPAWN_STEP_SETPGID = 5,
    PP_SPAWN_STEP_PDEATHSIG = 6,
    PP_SPAWN_STEP_SETRLIMIT = 7,
    PP_SPAWN_STEP_DUP2 = 8,
    PP_SPAWN_STEP_CHDIR = 9,
    PP_SPAWN_STEP_EXEC = 10,
    PP_SPAWN_STEP_CONTROLLING_TERMINAL = 11
};

/*
 * Starts a program in a new process. Between fork and exec only async-signal-safe calls
 * run, in C: on Linux the child is a clone(CLONE_VM|CLONE_VFORK) on its own stack (as
 * glibc's posix_spawn does), elsewhere fork(). All signals are blocked around the fork;
 * the child resets every signal disposition to SIG_DFL and unblocks all signals, so it
 * does not inherit the runtime's handlers or its ignored SIGPIPE.
 * A failure in the child (chdir, dup2, exec, ...) is written to a close-on-exec pipe;
 * the child is then reaped here, so a failed spawn leaves no zombie.
 *   request    [in]
 *   pid        [out] the child's pid on success.
 *   failedStep [out] PP_SPAWN_STEP_* on failure, PP_SPAWN_STEP_NONE on success.
 * Returns 0, or -1 with errno from the failed step.
 */
PP_EXPORT int32_t PosixProcsNative_Spawn(const PosixProcsSpawnRequest* request, int32_t* pid, int32_t* failedStep);

/* ---- pseudo-terminals -------------------------------------------------------- */

/*
 * Opens a pseudo-terminal pair (posix_openpt, grantpt, unlockpt, ptsname; no libutil) and
 * sets its window size. Both descriptors are close-on-exec and O_NOCTTY: opening them never
 * gives THIS process a controlling terminal. Pass the slave to a spawned child as its
 * controllingTerminal and standard streams; keep the master.
 *   columns, rows  1..65535.
 *   master, slave  [out] the two descriptors.
 *   slaveName      [out] slaveNameSize bytes: the slave's path (/dev/pts/N), NUL-terminated.
 * Returns 0, or -1 with errno (EINVAL, ENAMETOOLONG, posix_openpt's and open's errors).
 */
PP_EXPORT int32_t PosixProcsNative_OpenPseudoTerminal(int32_t columns, int32_t rows, int32_t* master, int32_t* slave, char* slaveName, int32_t slaveNameSize);

/* ioctl(TIOCSWINSZ) on a terminal (either side of a pty): the foreground process group of
 * the terminal gets SIGWINCH from the kernel. columns, rows 1..65535 (else EINVAL). */
PP_EXPORT int32_t PosixProcsNative_SetWindowSize(int32_t fd, int32_t columns, int32_t rows);

/* ioctl(TIOCGWINSZ). columns, rows [out]. ENOTTY when fd is not a terminal. */
PP_EXPORT int32_t PosixProcsNative_GetWindowSize(int32_t fd, int32_t* columns, int32_t* rows);
/*
 * Starts count programs as a pipeline, as a shell runs `a | b | c`: stage i's stdout is the
 * write end of a pipe whose read end is stage i+1's stdin. The count-1 pipes are created
 * here (pipe2 O_CLOEXEC) one at a time, installed by the stages' own dup2, and the parent's
 * copies are closed here as soon as the stages that use them have started: no byte of the
 * stream ever passes through the caller, and the caller never sees an inner pipe end.
 * Each stage is spawned as PosixProcsNative_Spawn does (same child set-up and reporting);
 * stage 0 leads a new process group and every other stage joins it (setpgid in the child,
 * before exec), so killpg(pids[0]) reaches the whole pipeline.
 *   stages      [in] count requests. Their flags must be 0 (the pipeline sets the group);
 *               a stage other than the first must not map childFd 0, nor one other than the
 *               last childFd 1 (the pipes go there); the first stage's 0 and the last
 *               stage's 1 are whatever the caller maps (its redirections); each fdMap holds
 *               at most 254 entries.
 *   count       1 or more.
 *   pids        [out] count pids, in stage order, on success.
 *   failedStage [out] on failure, the index of the stage that could not be started, or -1
 *               when the arguments were refused (EINVAL) before anything started.
 *   failedStep  [out] PP_SPAWN_STEP_* of that stage (PP_SPAWN_STEP_PIPE when its output
 *               pipe could not be created); PP_SPAWN_STEP_NONE on success.
 * On failure the stages already started are killed (SIGKILL, by pid) and reaped here, and
 * every pipe end is closed: nothing survives, nothing is left as a zombie.
 * Returns 0, or -1 with errno of the failed step.
 */
PP_EXPORT int32_t PosixProcsNative_SpawnPipeline(const PosixProcsSpawnRequest* stages, int32_t count, int32_t* pids, int32_t* failedStage, int32_t* failedStep);

/* ---- shared memory ----------------------------------------------------------- */

/*
 * A descriptor for size bytes of anonymous shared memory that no other process can
 * open by name: memfd_create on Linux; on macOS shm_open of a random name with
 * O_CREAT|O_EXCL and mode 0600, unlinked at once. Close-on-exec. Returns the fd or -1.
 */
PP_EXPORT int32_t PosixProcsNative_CreateSharedMemory(int64_t size);

/* ---- named shared memory (shm_open) ------------------------------------------ */

/* Portable shm_open flags; the object is always opened read-write (O_RDWR). */
enum {
    PP_SHM_CREATE = 1,      /* O_CREAT */
    PP_SHM_EXCLUSIVE = 2    /* O_EXCL: with PP_SHM_CREATE, fail with EEXIST if the name exists */
};

/*
 * shm_open(name, O_RDWR | flags, mode): a descriptor for the shared memory object name
 * ("/name", as POSIX wants it). Close-on-exec: POSIX says shm_open sets FD_CLOEXEC, and
 * glibc does (it opens /dev/shm/NAME with O_CLOEXEC); on macOS it is set here with fcntl
 * right after the call (racy against a concurrent fork, as pipe + fcntl is there).
 * shm_open is variadic on macOS, which is why it goes through this shim.
 *   flags  PP_SHM_* bits.
 *   mode   permission bits (0 to 0777), used only when the object is created; the umask
 *          applies.
 * EINTR is retried. Returns the fd, or -1 with errno (EEXIST, ENOENT, EACCES, EINVAL,
 * ENAMETOOLONG, EMFILE, ...).
 */
PP_EXPORT int32_t PosixProcsNative_ShmOpen(const char* name, int32_t flags, int32_t mode);

/*
 * Starts a guard process that unlinks the shared memory name (as shm_open takes it) when its
 * creator dies without doing so: Python's resource tracker, for one name. The guard is a fork
 * of the caller that runs only this C code (no managed code): it leaves the caller's session
 * (setsid, so signals to the caller's group miss it), resets every signal to SIG_DFL, closes
 * every descriptor but the read end of a pipe (standard streams included: it must not hold
 * a pipe that someone reads to end of file), and blocks reading it. The caller keeps the
 * write end (*armFd, close-on-exec):
 *   - the caller writes PP_SHM_GUARD_DISARM and closes it: the guard exits 0 without unlinking;
 *   - every copy of the write end closes without that byte (the caller died, even by SIGKILL,
 *     and so did the children it forked without exec, which inherit the end): the guard calls
 *     shm_unlink(name) and exits 0 (ENOENT is fine: someone unlinked it already).
 * The guard is the caller's child: reap it (waitpid) after disarming; if the caller dies
 * first, init (or a subreaper) reaps it. A SIGKILL sent to the guard itself ends it without
 * unlinking.
 *   guardPid [out] the guard's pid.
 *   armFd    [out] the pipe's write end.
 * Returns 0, or -1 with errno (EINVAL: no name or one longer than PATH_MAX; pipe or fork errors).
 */
PP_EXPORT int32_t PosixProcsNative_StartShmUnlinkGuard(const char* name, int32_t* guardPid, int32_t* armFd);

/* The byte that tells a guard of PosixProcsNative_StartShmUnlinkGuard to stand down. */
#define PP_SHM_GUARD_DISARM 'D'

/* What PosixProcsNative_Fstat reports: the fields of struct stat this project needs. */
typedef struct PosixProcsFileStatus {
    int64_t size;           /* st_size */
    uint32_t ownerUserId;   /* st_uid */
    uint32_t ownerGroupId;  /* st_gid */
    uint32_t mode;          /* st_mode & 07777: permission, set-id and sticky bits */
    int32_t reserved;       /* 0 */
} PosixProcsFileStatus;

/* fstat(2), reduced to PosixProcsFileStatus. Returns 0, or -1 with errno. */
PP_EXPORT int32_t PosixProcsNative_Fstat(int32_t fd, PosixProcsFileStatus* status);

/* Portable madvise advice. */
enum {
    PP_MADV_NORMAL = 0,
    PP_MADV_RANDOM = 1,
    PP_MADV_SEQUENTIAL = 2,
    PP_MADV_WILLNEED = 3,
    PP_MADV_DONTNEED = 4,
    PP_MADV_HUGEPAGE = 5,   /* Linux only; elsewhere -1/ENOTSUP */
    PP_MADV_NOHUGEPAGE = 6  /* Linux only; elsewhere -1/ENOTSUP */
};

/* madvise(2) with portable advice. */
PP_EXPORT int32_t PosixProcsNative_Madvise(void* address, uint64_t length, int32_t advice);

/* Portable mmap protections and flags. */
enum {
    PP_PROT_READ = 1,
    PP_PROT_WRITE = 2,
    PP_MAP_SHARED = 1,
    PP_MAP_PRIVATE = 2,
    PP_MAP_ANONYMOUS = 4,
    PP_MAP_POPULATE = 8     /* Linux: MAP_POPULATE; elsewhere pages are touched after mapping */
};

/*
 * mmap(2) with portable protections and flags. fd is -1 for anonymous memory.
 *   address [out] the mapping.
 */
PP_EXPORT int32_t PosixProcsNative_Mmap(uint64_t length, int32_t protection, int32_t flags, int32_t fd, int64_t offset, void** address);

/* ---- futex ------------------------------------------------------------------- */

/*
 * Sleeps while *address == expected, across processes (the word may be in MAP_SHARED
 * memory). Linux: futex(FUTEX_WAIT) (not the private variant). macOS: __ulock_wait with
 * UL_COMPARE_AND_WAIT_SHARED (declared here, not verified on a Mac).
 *   timeoutNanoseconds -1 waits forever.
 * Returns 0 when woken or when *address already differed (callers re-check the word:
 * spurious wake-ups and EINTR also return 0); -1 with ETIMEDOUT when the time ran out.
 */
PP_EXPORT int32_t PosixProcsNative_FutexWait(uint32_t* address, uint32_t expected, int64_t timeoutNanoseconds);

/* Wakes up to count waiters on address (INT32_MAX: all). Returns the number woken or -1. */
PP_EXPORT int32_t PosixProcsNative_FutexWake(uint32_t* address, int32_t count);

/* ---- platform constants and layouts (ABI checks) ----------------------------- */

/* Ids for PosixProcsNative_GetPlatformConstant. */
enum {
    PP_CONST_SIGHUP = 1, PP_CONST_SIGINT, PP_CONST_SIGQUIT, PP_CONST_SIGILL, PP_CONST_SIGABRT,
    PP_CONST_SIGFPE, PP_CONST_SIGKILL, PP_CONST_SIGSEGV, PP_CONST_SIGPIPE, PP_CONST_SIGALRM,
    PP_CONST_SIGTERM, PP_CONST_SIGUSR1, PP_CONST_SIGUSR2, PP_CONST_SIGCHLD, PP_CONST_SIGCONT,
    PP_CONST_SIGSTOP, PP_CONST_SIGTSTP, PP_CONST_SIGBUS, PP_CONST_SIGXCPU,
    PP_CONST_SIGTTIN, PP_CONST_SIGTTOU, PP_CONST_SIGWINCH, PP_CONST_SIGTRAP, PP_CONST_SIGSYS,
    PP_CONST_SIGURG, PP_CONST_SIGIO, PP_CONST_SIGPROF, PP_CONST_SIGVTALRM, PP_CONST_SIGXFSZ,
    PP_CONST_EPERM = 100, PP_CONST_ENOENT, PP_CONST_ESRCH, PP_CONST_EINTR, PP_CONST_EBADF,
    PP_CONST_ECHILD, PP_CONST_EAGAIN, PP_CONST_ENOMEM, PP_CONST_EACCES, PP_CONST_EEXIST,
    PP_CONST_EINVAL, PP_CONST_EMFILE, PP_CONST_EPIPE, PP_CONST_ENOSYS, PP_CONST_ETIMEDOUT,
    PP_CONST_ENOEXEC, PP_CONST_ENOTSUP,
    PP_CONST_MAP_SHARED = 200, PP_CONST_MAP_PRIVATE, PP_CONST_MAP_ANONYMOUS,
    PP_CONST_PROT_READ, PP_CONST_PROT_WRITE, PP_CONST_O_CLOEXEC, PP_CONST_O_NONBLOCK,
    PP_CONST_MS_SYNC, PP_CONST_MS_ASYNC, PP_CONST_PAGE_SIZE,
    PP_CONST_SHM_NAME_MAX   /* the longest shm_open name without its leading slash: NAME_MAX on Linux, 30 on macOS (PSHMNAMLEN 31 with the slash) */
};

/* The native value of a PP_CONST_* id, or INT32_MIN if the id is unknown here. */
PP_EXPORT int32_t PosixProcsNative_GetPlatformConstant(int32_t id);

/* Ids of structs whose layout crosses the boundary. */
enum {
    PP_STRUCT_WAIT_STATUS_PARTS = 1,
    PP_STRUCT_RESOURCE_LIMIT = 2,
    PP_STRUCT_RESOURCE_USAGE = 3,
    PP_STRUCT_FD_MAPPING = 4,
    PP_STRUCT_SPAWN_REQUEST = 5,
    PP_STRUCT_THREAD_SAMPLE = 6,
    PP_STRUCT_FILE_STATUS = 7
};

/*
 * The size of struct structId (fieldIndex -1) or the offset of its fieldIndex-th field,
 * counted in declaration order. Returns -1 if there is no such struct or field.
 */
PP_EXPORT int32_t PosixProcsNative_GetStructLayout(int32_t structId, int32_t fieldIndex);

/* ---- threads (the fork guard) ------------------------------------------------ */

/* One thread of this process, as the fork guard samples it. */
typedef struct PosixProcsThreadSample {
    int32_t tid;                /* kernel thread id */
    int32_t state;              /* the state letter of /proc/self/task/TID/stat: 'R', 'S', 'D', ... */
    int64_t cpuTimeNanoseconds; /* CPU time the thread has used so far */
    int32_t cpuTimeExact;       /* 1: from schedstat (ns); 0: from stat's clock ticks (coarse) */
    char name[20];              /* comm, NUL-terminated (the kernel keeps 15 characters) */
} PosixProcsThreadSample;

/*
 * Samples every thread of this process except the calling one (Linux: /proc/self/task).
 * A thread that ends while it is read is left out.
 *   samples  [out] capacity entries.
 *   count    [out] how many threads there are; if more than capacity, only the first
 *            capacity were written: call again with a larger array.
 * Fails with ENOSYS where there is no /proc (macOS), EMFILE/ENFILE when no descriptor
 * can be opened to read it.
 */
PP_EXPORT int32_t PosixProcsNative_SampleThreads(PosixProcsThreadSample* samples, int32_t capacity, int32_t* count);

#ifdef __cplusplus
}
#endif

#endif /* POSIXPROCS_H */
