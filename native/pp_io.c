/* Descriptors: pipes, socket pairs, read/write, flags and poll, with EINTR retried. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int set_fd_flag(int fd, int getCmd, int setCmd, int flag, int enabled)
{
    int current = fcntl(fd, getCmd);
    if (current < 0)
        return -1;
    int wanted = enabled ? (current | flag) : (current & ~flag);
    if (wanted == current)
        return 0;
    return fcntl(fd, setCmd, wanted) < 0 ? -1 : 0;
}

#if !defined(__linux__)
/* Without pipe2/SOCK_CLOEXEC the flags are set after creation. */
static int apply_portable_fd_flags(const int32_t* fds, int32_t flags)
{
    for (int i = 0; i < 2; i++)
    {
        if ((flags & PP_FD_CLOEXEC) && set_fd_flag(fds[i], F_GETFD, F_SETFD, FD_CLOEXEC, 1) < 0)
            return -1;
        if ((flags & PP_FD_NONBLOCK) && set_fd_flag(fds[i], F_GETFL, F_SETFL, O_NONBLOCK, 1) < 0)
            return -1;
    }
    return 0;
}

static void close_pair_keeping_errno(const int32_t* fds)
{
    int saved = errno;
    close(fds[0]);
    close(fds[1]);
    errno = saved;
}
#endif

int32_t PosixProcsNative_Pipe(int32_t* fds, int32_t flags)
{
    if (fds == NULL || (flags & ~(PP_FD_CLOEXEC | PP_FD_NONBLOCK)) != 0)
    {
        errno = EINVAL;
        return -1;
    }
    int raw[2];
#if defined(__linux__)
    int nativeFlags = ((flags & PP_FD_CLOEXEC) ? O_CLOEXEC : 0) | ((flags & PP_FD_NONBLOCK) ? O_NONBLOCK : 0);
    if (pipe2(raw, nativeFlags) < 0)
        return -1;
    fds[0] = raw[0];
    fds[1] = raw[1];
    return 0;
#else
    if (pipe(raw) < 0)
        return -1;
    fds[0] = raw[0];
    fds[1] = raw[1];
    if (apply_portable_fd_flags(fds, flags) < 0)
    {
        close_pair_keeping_errno(fds);
        return -1;
    }
    return 0;
#endif
}

int32_t PosixProcsNative_SocketPair(int32_t* fds, int32_t flags)
{
    if (fds == NULL || (flags & ~(PP_FD_CLOEXEC | PP_FD_NONBLOCK)) != 0)
    {
        errno = EINVAL;
        return -1;
    }
    int raw[2];
    int type = SOCK_STREAM;
#if defined(__linux__)
    type |= (flags & PP_FD_CLOEXEC) ? SOCK_CLOEXEC : 0;
    type |= (flags & PP_FD_NONBLOCK) ? SOCK_NONBLOCK : 0;
    if (socketpair(AF_UNIX, type, 0, raw) < 0)
        return -1;
    fds[0] = raw[0];
    fds[1] = raw[1];
    return 0;
#else
    if (socketpair(AF_UNIX, type, 0, raw) < 0)
        return -1;
    fds[0] = raw[0];
    fds[1] = raw[1];
    if (apply_portable_fd_flags(fds, flags) < 0)
    {
        close_pair_keeping_errno(fds);
        return -1;
    }
#if defined(SO_NOSIGPIPE)
    /* macOS has no MSG_NOSIGNAL: keep a closed peer from raising SIGPIPE. */
    int one = 1;
    setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
    setsockopt(fds[1], SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
    return 0;
#endif
}

int64_t PosixProcsNative_Read(int32_t fd, void* buf, int64_t count)
{
    if (count < 0)
    {
        errno = EINVAL;
        return -1;
    }
    ssize_t n;
    while ((n = read(fd, buf, (size_t)count)) < 0 && errno == EINTR)
        ;
    return (int64_t)n;
}

int64_t PosixProcsNative_Write(int32_t fd, const void* buf, int64_t count)
{
    if (count < 0)
    {
        errno = EINVAL;
        return -1;
    }
    ssize_t n;
    while ((n = write(fd, buf, (size_t)count)) < 0 && errno == EINTR)
        ;
    return (int64_t)n;
}

int32_t PosixProcsNative_GetCloseOnExec(int32_t fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : ((flags & FD_CLOEXEC) ? 1 : 0);
}

int32_t PosixProcsNative_SetCloseOnExec(int32_t fd, int32_t enabled)
{
    return set_fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, enabled);
}

int32_t PosixProcsNative_GetNonBlocking(int32_t fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : ((flags & O_NONBLOCK) ? 1 : 0);
}

int32_t PosixProcsNative_SetNonBlocking(int32_t fd, int32_t enabled)
{
    return set_fd_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, enabled);
}

int32_t PosixProcsNative_DuplicateCloseOnExec(int32_t fd, int32_t minFd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, minFd);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static short to_native_events(int32_t portable)
{
    return (short)(((portable & PP_POLLIN) ? POLLIN : 0) | ((portable & PP_POLLOUT) ? POLLOUT : 0));
}

static int32_t from_native_events(short native)
{
    return ((native & POLLIN) ? PP_POLLIN : 0) | ((native & POLLOUT) ? PP_POLLOUT : 0) |
           ((native & POLLERR) ? PP_POLLERR : 0) | ((native & POLLHUP) ? PP_POLLHUP : 0) |
           ((native & POLLNVAL) ? PP_POLLNVAL : 0);
}

static int poll_retrying(struct pollfd* fds, nfds_t count, int32_t timeoutMs)
{
    int64_t deadline = timeoutMs > 0 ? monotonic_ms() + timeoutMs : 0;
    int remaining = timeoutMs;
    int rc;
    while ((rc = poll(fds, count, remaining)) < 0 && errno == EINTR)
    {
        if (timeoutMs > 0)
        {
            int64_t left = deadline - monotonic_ms();
            remaining = left > 0 ? (int)left : 0;
        }
    }
    return rc;
}

int32_t PosixProcsNative_Poll(int32_t fd, int32_t events, int32_t timeoutMs, int32_t* revents)
{
    if (revents == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    struct pollfd p = { .fd = fd, .events = to_native_events(events), .revents = 0 };
    int rc = poll_retrying(&p, 1, timeoutMs);
    if (rc < 0)
        return -1;
    *revents = from_native_events(p.revents);
    return rc > 0 ? 1 : 0;
}

/* Enough for the reactor's descriptors without a heap allocation per call. */
#define PP_POLL_MANY_MAX 4096

int32_t PosixProcsNative_PollMany(const int32_t* fds, const int32_t* events, int32_t* revents, int32_t count, int32_t timeoutMs)
{
    if (count < 0 || count > PP_POLL_MANY_MAX || (count > 0 && (fds == NULL || events == NULL || revents == NULL)))
    {
        errno = EINVAL;
        return -1;
    }
    struct pollfd set[PP_POLL_MANY_MAX];
    for (int32_t i = 0; i < count; i++)
    {
        set[i].fd = fds[i];
        set[i].events = to_native_events(events[i]);
        set[i].revents = 0;
    }
    int rc = poll_retrying(set, (nfds_t)count, timeoutMs);
    if (rc < 0)
        return -1;
    for (int32_t i = 0; i < count; i++)
        revents[i] = from_native_events(set[i].revents);
    return rc;
}

int32_t PosixProcsNative_GetPipeCapacity(int32_t fd)
{
#if defined(__linux__) && defined(F_GETPIPE_SZ)
    return fcntl(fd, F_GETPIPE_SZ);
#else
    (void)fd;
    errno = ENOTSUP;
    return -1;
#endif
}
