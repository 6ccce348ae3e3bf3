/* errno between the platform and PosixProcs' portable values, in one place (as System.Native
 * converts errors in C): the managed side never sees or guesses a platform's numbers. */
#include "pp_internal.h"
#include "pp_errno.h"

#include <errno.h>
#include <string.h>

/* Aliases: one portable name each, so messages are the same everywhere. */
_Static_assert(EWOULDBLOCK == EAGAIN, "EWOULDBLOCK is EAGAIN on the supported platforms");


int32_t PosixProcsNative_ConvertErrnoToPortable(int32_t nativeErrno)
{
    switch (nativeErrno)
    {
#define PP_ERRNO_TO_PORTABLE(name, value) case name: return value;
        PP_ERRNO_TABLE(PP_ERRNO_TO_PORTABLE)
#undef PP_ERRNO_TO_PORTABLE
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
        case EOPNOTSUPP: return 0x10032; /* macOS: a value of its own, read as ENOTSUP */
#endif
        default: return -1;
    }
}

int32_t PosixProcsNative_ConvertErrnoToNative(int32_t portableErrno)
{
    switch (portableErrno)
    {
#define PP_ERRNO_TO_NATIVE(name, value) case value: return name;
        PP_ERRNO_TABLE(PP_ERRNO_TO_NATIVE)
#undef PP_ERRNO_TO_NATIVE
        default: return -1;
    }
}

const char* PosixProcsNative_GetErrnoName(int32_t portableErrno)
{
    switch (portableErrno)
    {
#define PP_ERRNO_NAME(name, value) case value: return #name;
        PP_ERRNO_TABLE(PP_ERRNO_NAME)
#undef PP_ERRNO_NAME
        default: return NULL;
    }
}

int32_t PosixProcsNative_StrError(int32_t nativeErrno, char* buffer, int32_t size)
{
    if (buffer == NULL || size <= 0)
    {
        errno = EINVAL;
        return -1;
    }
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    /* GNU strerror_r returns the text, which may or may not be in buffer. */
    const char* text = strerror_r(nativeErrno, buffer, (size_t)size);
    if (text != buffer)
    {
        strncpy(buffer, text, (size_t)size - 1);
        buffer[size - 1] = '\0';
    }
    return 0;
#else
    int result = strerror_r(nativeErrno, buffer, (size_t)size);
    if (result != 0)
    {
        errno = result;
        return -1;
    }
    return 0;
#endif
}
