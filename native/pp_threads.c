/* Threads of this process, sampled for the fork guard: state, CPU time, name. */
#include "pp_internal.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__)
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads a small /proc file relative to dir into buf (NUL-terminated); -1 with errno. */
static ssize_t pp_read_small(int dir, const char* name, char* buf, size_t size)
{
    int fd;
    while ((fd = openat(dir, name, O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (fd < 0)
        return -1;
    ssize_t total = 0;
    while ((size_t)total < size - 1)
    {
        ssize_t n = read(fd, buf + total, size - 1 - (size_t)total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
        {
            int error = errno;
            close(fd);
            errno = error;
            return -1;
        }
        if (n == 0)
            break;
        total += n;
    }
    close(fd);
    buf[total] = '\0';
    return total;
}

/* Fills one sample from /proc/self/task/<tid>. Returns 1 if filled, 0 if the thread is gone, -1 on error. */
static int pp_sample_thread(int taskDir, const char* tidName, PosixProcsThreadSample* sample)
{
    int dir;
    while ((dir = openat(taskDir, tidName, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (dir < 0)
        return errno == ENOENT ? 0 : -1;

    char stat[512];
    char schedstat[128];
    char comm[32];
    int result = -1;
    ssize_t statLength = pp_read_small(dir, "stat", stat, sizeof(stat));
    if (statLength < 0)
    {
        result = (errno == ENOENT || errno == ESRCH) ? 0 : -1;
        goto done;
    }

    /* "tid (comm) S ..." where comm may hold spaces and parentheses: the state follows the LAST ')'. */
    char* close_paren = strrchr(stat, ')');
    if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] == '\0')
    {
        errno = EPROTO;
        goto done;
    }
    sample->tid = (int32_t)strtol(tidName, NULL, 10);
    sample->state = (int32_t)(unsigned char)close_paren[2];

    /* CPU time in nanoseconds: schedstat's first field (exact); without CONFIG_SCHED_INFO,
     * utime + stime from stat (fields 14 and 15, in clock ticks: coarse). */
    sample->cpuTimeExact = 0;
    sample->cpuTimeNanoseconds = 0;
    if (pp_read_small(dir, "schedstat", schedstat, sizeof(schedstat)) > 0)
    {
        sample->cpuTimeNanoseconds = (int64_t)strtoull(schedstat, NULL, 10);
        sample->cpuTimeExact = 1;
    }
    else
    {
        /* After the state (field 3) come fields 4..13, then utime and stime. */
        char* cursor = close_paren + 2;
        for (int field = 3; field < 14 && cursor != NULL; field++)
        {
            cursor = strchr(cursor, ' ');
            if (cursor != NULL)
                cursor++;
        }
        if (cursor != NULL)
        {
            char* end = NULL;
            unsigned long long utime = strtoull(cursor, &end, 10);
            unsigned long long stime = end != NULL ? strtoull(end, NULL, 10) : 0;
            long ticks = sysconf(_SC_CLK_TCK);
            if (ticks > 0)
                sample->cpuTimeNanoseconds = (int64_t)((utime + stime) * (1000000000ULL / (unsigned long long)ticks));
        }
    }

    memset(sample->name, 0, sizeof(sample->name));
    if (pp_read_small(dir, "comm", comm, sizeof(comm)) > 0)
    {
        size_t length = strcspn(comm, "\n");
        if (length >= sizeof(sample->name))
            length = sizeof(sample->name) - 1;
        memcpy(sample->name, comm, length);
    }
    result = 1;

done:;
    int error = errno;
    close(dir);
    errno = error;
    return result;
}

int32_t PosixProcsNative_SampleThreads(PosixProcsThreadSample* samples, int32_t capacity, int32_t* count)
{
    if (capacity < 0 || (capacity > 0 && samples == NULL) || count == NULL)
    {
        errno = EINVAL;
        return -1;
    }
    int taskDir;
    while ((taskDir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 && errno == EINTR)
        ;
    if (taskDir < 0)
        return -1;
    DIR* tasks = fdopendir(taskDir);
    if (tasks == NULL)
    {
        int error = errno;
        close(taskDir);
        errno = error;
        return -1;
    }

    pid_t self = (pid_t)syscall(SYS_gettid);
    int32_t found = 0;
    int failed = 0;
    struct dirent* entry;
    errno = 0;
    while ((entry = readdir(tasks)) != NULL)
    {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        if ((pid_t)strtol(entry->d_name, NULL, 10) == self)
            continue;
        PosixProcsThreadSample scratch;
        PosixProcsThreadSample* target = found < capacity ? &samples[found] : &scratch;
        int sampled = pp_sample_thread(dirfd(tasks), entry->d_name, target);
        if (sampled < 0)
        {
            failed = errno;
            break;
        }
        found += sampled;
        errno = 0;
    }
    if (!failed && errno != 0)
        failed = errno;
    closedir(tasks);
    if (failed)
    {
        errno = failed;
        return -1;
    }
    *count = found;
    return 0;
}

#else

int32_t PosixProcsNative_SampleThreads(PosixProcsThreadSample* samples, int32_t capacity, int32_t* count)
{
    (void)samples;
    (void)capacity;
    (void)count;
    errno = ENOSYS;
    return -1;
}

#endif
