/*
 * Process-shared futex wait/wake for the C references: the same primitives the
 * PosixProcs shim uses (FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE_FLAG on Linux,
 * __ulock_wait/__ulock_wake with the shared flag on macOS), so C and .NET pay for the
 * same system calls.
 */
#ifndef BENCH_FUTEX_H
#define BENCH_FUTEX_H

#include <stdint.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sleeps while *word == expected; returns on wake-up, value change or spuriously. */
static inline void bench_futex_wait(uint32_t *word, uint32_t expected)
{
    syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static inline void bench_futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}
#elif defined(__APPLE__)
extern int __ulock_wait(uint32_t operation, void *addr, uint64_t value, uint32_t timeout_us);
extern int __ulock_wake(uint32_t operation, void *addr, uint64_t wake_value);
#define BENCH_UL_COMPARE_AND_WAIT_SHARED 3
#define BENCH_ULF_NO_ERRNO 0x01000000

static inline void bench_futex_wait(uint32_t *word, uint32_t expected)
{
    __ulock_wait(BENCH_UL_COMPARE_AND_WAIT_SHARED | BENCH_ULF_NO_ERRNO, word, expected, 0);
}

static inline void bench_futex_wake(uint32_t *word)
{
    __ulock_wake(BENCH_UL_COMPARE_AND_WAIT_SHARED | BENCH_ULF_NO_ERRNO, word, 0);
}
#else
#error "futex references need Linux futex or macOS __ulock"
#endif

#endif
