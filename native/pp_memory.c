/* Shared memory: unnamed shared-memory descriptors, portable mmap and madvise. */
#include "pp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
