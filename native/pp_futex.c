/* Futex wait/wake on a 32-bit word that may live in memory shared between processes. */
#include "pp_internal.h"

#include <errno.h>
#include <limits.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__APPLE__)
/* Private but stable since macOS 10.12; declared here, as libc++ and others do.
 * Not verified on a Mac from this project's machines. */
#define UL_COMPARE_AND_WAIT_SHARED 3
#define ULF_WAKE_ALL 0x00000100
#define ULF_NO_ERRNO 0x01000000
extern int __ulock_wait(uint32_t operation, void* addr, uint64_t value, uint32_t timeout_us);
extern int __ulock_wake(uint32_t operation, void* addr, uint64_t wake_value);
#endif

int32_t PosixProcsNative_FutexWait(uint32_t* address, uint32_t expected, int64_t timeoutNanoseconds)
{
    if (address == NULL)
    {
        errno = EINVAL;
        return -1;
    }
#if defined(__linux__)
    struct timespec relative;
    struct timespec* timeout = NULL;
    if (timeoutNanoseconds >= 0)
    {
        relative.tv_sec = (time_t)(timeoutNanoseconds / 1000000000);
        relative.tv_nsec = (long)(timeoutNanoseconds % 1000000000);
        timeout = &relative;
    }
    /* FUTEX_WAIT, not FUTEX_WAIT_PRIVATE: the waker may be another process. */
    long rc = syscall(SYS_futex, address, FUTEX_WAIT, expected, timeout, NULL, 0);
    if (rc == 0)
        return 0;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    return -1;
#elif defined(__APPLE__)
    uint32_t timeoutUs = 0; /* 0 means forever for __ulock_wait */
    if (timeoutNanoseconds >= 0)
    {
        int64_t us = timeoutNanoseconds / 1000;
        timeoutUs = us <= 0 ? 1 : (us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
    }
    int rc = __ulock_wait(UL_COMPARE_AND_WAIT_SHARED | ULF_NO_ERRNO, address, expected, timeoutUs);
    if (rc >= 0 || rc == -EINTR || rc == -EFAULT)
        return 0;
    errno = -rc;
    return -1;
#else
    (void)expected;
    (void)timeoutNanoseconds;
    errno = ENOSYS;
    return -1;
#endif
}

int32_t PosixProcsNative_FutexWake(uint32_t* address, int32_t count)
{
    if (address == NULL || count <= 0)
    {
        errno = EINVAL;
        return -1;
    }
#if defined(__linux__)
    long rc = syscall(SYS_futex, address, FUTEX_WAKE, count, NULL, NULL, 0);
    return rc < 0 ? -1 : (int32_t)rc;
#elif defined(__APPLE__)
    uint32_t op = UL_COMPARE_AND_WAIT_SHARED | ULF_NO_ERRNO | (count > 1 ? ULF_WAKE_ALL : 0);
    int rc = __ulock_wake(op, address, 0);
    if (rc >= 0 || rc == -ENOENT)
        return 0; /* __ulock_wake does not say how many it woke; ENOENT: nobody waited */
    errno = -rc;
    return -1;
#else
    errno = ENOSYS;
    return -1;
#endif
}
