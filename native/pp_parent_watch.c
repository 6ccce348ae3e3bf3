/* The parent-death signal where prctl(PR_SET_PDEATHSIG) does not exist (macOS, the BSDs):
 * a detached thread of the calling process waits for its parent to exit and then sends the
 * signal to its own process. It waits with the platform's exit notification: kqueue
 * EVFILT_PROC/NOTE_EXIT on macOS and the BSDs, a pidfd on Linux (where it is used only to
 * verify this mechanism; Linux itself uses prctl). No managed code runs on this thread. */
#include "pp_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#define PP_PARENT_WATCH_KQUEUE 1
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#elif defined(__linux__)
#define PP_PARENT_WATCH_PIDFD 1
#include <poll.h>
#include <sys/syscall.h>
#endif

typedef struct
{
    int fd;
    int signal;
} ParentWatch;

#if defined(PP_PARENT_WATCH_KQUEUE)
/* Registers for the parent's exit; returns the kqueue, or -1 with errno (ESRCH: already gone). */
static int open_parent_watch(pid_t parent)
{
    int kq = kqueue();
    if (kq < 0)
        return -1;
    struct kevent change;
    EV_SET(&change, (uintptr_t)parent, EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT, 0, NULL);
    if (kevent(kq, &change, 1, NULL, 0, NULL) < 0)
    {
        int error = errno;
        close(kq);
        errno = error;
        return -1;
    }
    return kq;
}

static void wait_parent_exit(int kq)
{
    struct kevent event;
    while (kevent(kq, NULL, 0, &event, 1, NULL) < 0 && errno == EINTR)
    {
    }
}
#elif defined(PP_PARENT_WATCH_PIDFD)
static int open_parent_watch(pid_t parent)
{
#if defined(SYS_pidfd_open)
    return (int)syscall(SYS_pidfd_open, parent, 0);
#else
    (void)parent;
    errno = ENOSYS;
    return -1;
#endif
}

static void wait_parent_exit(int pidfd)
{
    struct pollfd watch = { .fd = pidfd, .events = POLLIN, .revents = 0 };
    while (poll(&watch, 1, -1) < 0 && errno == EINTR)
    {
    }
}
#endif

#if defined(PP_PARENT_WATCH_KQUEUE) || defined(PP_PARENT_WATCH_PIDFD)
static void* watch_parent(void* argument)
{
    ParentWatch watch = *(ParentWatch*)argument;
    free(argument);
    wait_parent_exit(watch.fd);
    close(watch.fd);
    kill(getpid(), watch.signal);
    return NULL;
}

int32_t PosixProcsNative_WatchParentExit(int32_t nativeSignal)
{
    if (nativeSignal <= 0)
    {
        errno = EINVAL;
        return -1;
    }
    pid_t parent = getppid();
    ParentWatch* watch = malloc(sizeof(ParentWatch));
    if (watch == NULL)
        return -1;
    watch->signal = nativeSignal;
    /* Registered before the thread starts, so an exit in between is still seen. */
    watch->fd = open_parent_watch(parent);
    if (watch->fd < 0)
    {
        int error = errno;
        free(watch);
        if (error == ESRCH)
        {
            /* The parent is already gone: deliver now, as the kernel's own signal would have. */
            kill(getpid(), nativeSignal);
            return 0;
        }
        errno = error;
        return -1;
    }
    /* The parent may have exited before the registration (we were re-parented): check. */
    if (getppid() != parent)
    {
        close(watch->fd);
        free(watch);
        kill(getpid(), nativeSignal);
        return 0;
    }

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_t thread;
    int created = pthread_create(&thread, &attributes, watch_parent, watch);
    pthread_attr_destroy(&attributes);
    if (created != 0)
    {
        close(watch->fd);
        free(watch);
        errno = created;
        return -1;
    }
    return 0;
}
#else
int32_t PosixProcsNative_WatchParentExit(int32_t nativeSignal)
{
    (void)nativeSignal;
    errno = ENOTSUP;
    return -1;
}
#endif
