/* Pseudo-terminals: open a master/slave pair and size it, without libutil's openpty. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#if !defined(__linux__)
/* Without O_CLOEXEC for posix_openpt: racy against a concurrent fork, as pipe+fcntl is there. */
static int set_close_on_exec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}
#endif

static int valid_size(int32_t columns, int32_t rows)
{
    return columns > 0 && columns <= UINT16_MAX && rows > 0 && rows <= UINT16_MAX;
}

int32_t PosixProcsNative_SetWindowSize(int32_t fd, int32_t columns, int32_t rows)
{
    if (!valid_size(columns, rows))
    {
        errno = EINVAL;
        return -1;
    }
    struct winsize size;
    memset(&size, 0, sizeof(size));
    size.ws_col = (unsigned short)columns;
    size.ws_row = (unsigned short)rows;
    int rc;
    while ((rc = ioctl(fd, TIOCSWINSZ, &size)) < 0 && errno == EINTR)
        ;
    return rc < 0 ? -1 : 0;
}

int32_t PosixProcsNative_GetWindowSize(int32_t fd, int32_t* columns, int32_t* rows)
{
    if (columns == NULL || rows == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    struct winsize size;
    int rc;
    while ((rc = ioctl(fd, TIOCGWINSZ, &size)) < 0 && errno == EINTR)
        ;
    if (rc < 0)
        return -1;
    *columns = size.ws_col;
    *rows = size.ws_row;
    return 0;
}

int32_t PosixProcsNative_OpenPseudoTerminal(int32_t columns, int32_t rows, int32_t* master, int32_t* slave, char* slaveName, int32_t slaveNameSize)
{
    if (master == NULL || slave == NULL || slaveName == NULL || slaveNameSize <= 0 || !valid_size(columns, rows))
    {
        errno = EINVAL;
        return -1;
    }
    *master = -1;
    *slave = -1;

    /* O_NOCTTY: opening them must never make either the controlling terminal of THIS process. */
#if defined(__linux__)
    int masterFd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
#else
    int masterFd = posix_openpt(O_RDWR | O_NOCTTY);
#endif
    if (masterFd < 0)
        return -1;
    int error = 0;
    int slaveFd = -1;
#if !defined(__linux__)
    if (set_close_on_exec(masterFd) < 0)
        goto fail;
#endif
    if (grantpt(masterFd) < 0 || unlockpt(masterFd) < 0)
        goto fail;

    char name[128];
#if defined(__linux__)
    if ((error = ptsname_r(masterFd, name, sizeof(name))) != 0)
    {
        errno = error;
        goto fail;
    }
#else
    /* macOS: ptsname(3) has a static buffer; ptsname_r exists from macOS 10.13.4 only. */
    const char* shared = ptsname(masterFd);
    if (shared == NULL || strlen(shared) >= sizeof(name))
    {
        if (shared != NULL)
            errno = ENAMETOOLONG;
        goto fail;
    }
    strcpy(name, shared);
#endif
    if ((int32_t)strlen(name) >= slaveNameSize)
    {
        errno = ENAMETOOLONG;
        goto fail;
    }

#if defined(__linux__)
    while ((slaveFd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 && errno == EINTR)
        ;
#else
    while ((slaveFd = open(name, O_RDWR | O_NOCTTY)) < 0 && errno == EINTR)
        ;
    if (slaveFd >= 0 && set_close_on_exec(slaveFd) < 0)
        goto fail;
#endif
    if (slaveFd < 0)
        goto fail;
    if (PosixProcsNative_SetWindowSize(masterFd, columns, rows) < 0)
        goto fail;

    strcpy(slaveName, name);
    *master = masterFd;
    *slave = slaveFd;
    return 0;

fail:
    error = errno;
    if (slaveFd >= 0)
        close(slaveFd);
    close(masterFd);
    errno = error;
    return -1;
}
