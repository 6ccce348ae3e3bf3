/* Shared memory: unnamed shared-memory descriptors, portable mmap and madvise. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <stdlib.h>
#endif

int32_t PosixProcsNative_CreateSharedMemory(int64_t size)
{
    if (size < 0)
    {
        errno = EINVAL;
        return -1;
    }
    int fd;
#if defined(__linux__)
    fd = memfd_create("posixprocs", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
#else
    /* No memfd: a random name, exclusive, owner-only, unlinked before anyone else can
     * use it. The window between open and unlink is the only time it has a name. */
    char name[32];
    fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++)
    {
        snprintf(name, sizeof(name), "/pp.%08x%08x", arc4random(), arc4random());
        fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno != EEXIST)
            return -1;
    }
    if (fd < 0)
        return -1;
    shm_unlink(name);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
    {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
#endif
    int rc;
    while ((rc = ftruncate(fd, (off_t)size)) < 0 && errno == EINTR)
        ;
    if (rc < 0)
    {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int32_t PosixProcsNative_ShmOpen(const char* name, int32_t flags, int32_t mode)
{
    if (name == NULL || (flags & ~(PP_SHM_CREATE | PP_SHM_EXCLUSIVE)) != 0 || (mode & ~0777) != 0)
    {
        errno = EINVAL;
        return -1;
    }
    int native = O_RDWR | ((flags & PP_SHM_CREATE) ? O_CREAT : 0) | ((flags & PP_SHM_EXCLUSIVE) ? O_EXCL : 0);
    int fd;
    while ((fd = shm_open(name, native, (mode_t)mode)) < 0 && errno == EINTR)
        ;
    if (fd < 0)
        return -1;
#if !defined(__linux__)
    /* glibc opens with O_CLOEXEC; macOS documents nothing of the kind. */
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
    {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
#endif
    return fd;
}

/* The guard's life after fork: only async-signal-safe calls (setsid, sigaction, close, read,
 * _exit) and shm_unlink, which in glibc 2.34+ builds the /dev/shm path on the stack and calls
 * unlink (no lock, no allocation), and on macOS is a system call. */
static void pp_shm_guard_run(const char* name, int readFd)
{
    setsid();
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL); /* EINVAL for SIGKILL, SIGSTOP and the gaps: nothing to do */
    /* Nothing inherited stays open: a standard stream held here would keep a pipe that the
     * caller's parent reads (its captured output) from ever reaching end of file. */
    int32_t keep = readFd;
    pp_close_all_but(&keep, 1);
    close(0);
    close(1);
    close(2);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);

    char byte = 0;
    ssize_t n;
    while ((n = read(readFd, &byte, 1)) < 0 && errno == EINTR)
        ;
    if (n == 1 && byte == PP_SHM_GUARD_DISARM)
        _exit(0);
    /* End of file (every write end closed without disarming), or anything else: unlink. */
    shm_unlink(name);
    _exit(0);
}

int32_t PosixProcsNative_StartShmUnlinkGuard(const char* name, int32_t* guardPid, int32_t* armFd)
{
    if (name == NULL || name[0] == '\0' || guardPid == NULL || armFd == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    /* The name is copied before the fork: the caller's buffer may be freed or moved meanwhile. */
    char copy[PATH_MAX];
    size_t length = strlen(name);
    if (length >= sizeof(copy))
    {
        errno = EINVAL;
        return -1;
    }
    memcpy(copy, name, length + 1);

    int fds[2];
    if (PosixProcsNative_Pipe(fds, PP_FD_CLOEXEC) < 0)
        return -1;
    /* The guard closes 0-2: a pipe end there (a caller that closed its standard streams)
     * would be the one descriptor it must not lose, so move it up. */
    if (fds[0] < 3)
    {
        int moved = fcntl(fds[0], F_DUPFD_CLOEXEC, 3);
        int saved = errno;
        close(fds[0]);
        if (moved < 0)
        {
            close(fds[1]);
            errno = saved;
            return -1;
        }
        fds[0] = moved;
    }

    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    if (pid == 0)
    {
        close(fds[1]);
        pp_shm_guard_run(copy, fds[0]);
    }
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(fds[0]);
    if (pid < 0)
    {
        close(fds[1]);
        errno = forkError;
        return -1;
    }
    *guardPid = (int32_t)pid;
    *armFd = fds[1];
    return 0;
}

int32_t PosixProcsNative_Fstat(int32_t fd, PosixProcsFileStatus* status)
{
    if (status == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -1;
    status->size = (int64_t)st.st_size;
    status->ownerUserId = (uint32_t)st.st_uid;
    status->ownerGroupId = (uint32_t)st.st_gid;
    status->mode = (uint32_t)(st.st_mode & 07777);
    status->reserved = 0;
    return 0;
}

int32_t PosixProcsNative_Madvise(void* address, uint64_t length, int32_t advice)
{
    int native;
    switch (advice)
    {
        case PP_MADV_NORMAL: native = MADV_NORMAL; break;
        case PP_MADV_RANDOM: native = MADV_RANDOM; break;
        case PP_MADV_SEQUENTIAL: native = MADV_SEQUENTIAL; break;
        case PP_MADV_WILLNEED: native = MADV_WILLNEED; break;
        case PP_MADV_DONTNEED: native = MADV_DONTNEED; break;
#if defined(MADV_HUGEPAGE)
        case PP_MADV_HUGEPAGE: native = MADV_HUGEPAGE; break;
        case PP_MADV_NOHUGEPAGE: native = MADV_NOHUGEPAGE; break;
#else
        case PP_MADV_HUGEPAGE:
        case PP_MADV_NOHUGEPAGE: errno = ENOTSUP; return -1;
#endif
        default: errno = EINVAL; return -1;
    }
    return madvise(address, (size_t)length, native) < 0 ? -1 : 0;
}

int32_t PosixProcsNative_Mmap(uint64_t length, int32_t protection, int32_t flags, int32_t fd, int64_t offset, void** address)
{
    if (address == NULL || length == 0 || (protection & ~(PP_PROT_READ | PP_PROT_WRITE)) != 0 ||
        (flags & ~(PP_MAP_SHARED | PP_MAP_PRIVATE | PP_MAP_ANONYMOUS | PP_MAP_POPULATE)) != 0 ||
        ((flags & PP_MAP_SHARED) != 0) == ((flags & PP_MAP_PRIVATE) != 0))
    {
        errno = EINVAL;
        return -1;
    }
    int prot = ((protection & PP_PROT_READ) ? PROT_READ : 0) | ((protection & PP_PROT_WRITE) ? PROT_WRITE : 0);
    int native = (flags & PP_MAP_SHARED) ? MAP_SHARED : MAP_PRIVATE;
    if (flags & PP_MAP_ANONYMOUS)
        native |= MAP_ANONYMOUS;
#if defined(MAP_POPULATE)
    if (flags & PP_MAP_POPULATE)
        native |= MAP_POPULATE;
#endif
    void* mapped = mmap(NULL, (size_t)length, prot, native, (flags & PP_MAP_ANONYMOUS) ? -1 : fd, (off_t)offset);
    if (mapped == MAP_FAILED)
        return -1;
#if !defined(MAP_POPULATE)
    if ((flags & PP_MAP_POPULATE) && (protection & PP_PROT_WRITE))
    {
        /* Fault every page in now, as MAP_POPULATE would, without changing its content. */
        long page = sysconf(_SC_PAGESIZE);
        for (uint64_t at = 0; at < length; at += (uint64_t)page)
        {
            volatile unsigned char* p = (volatile unsigned char*)mapped + at;
            *p = *p;
        }
    }
#endif
    *address = mapped;
    return 0;
}
