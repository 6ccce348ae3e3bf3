/*
 * Ping-pong between this process and a forked child over one 32-bit word in a MAP_SHARED
 * mapping. The parent stores an odd number n, the child answers n+1. In --mode futex each
 * side sleeps in futex wait while the word is unchanged and wakes the other after
 * storing (no spinning); in --mode spin each side busy-waits. The checksum sums the
 * answers, so an answer the child did not write fails the check.
 */
#include "bench_common.h"
#include "bench_futex.h"
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define STOP 0xffffffffu

static uint32_t wait_change(_Atomic uint32_t *word, uint32_t seen, int spin)
{
    uint32_t v;
    while ((v = atomic_load_explicit(word, memory_order_acquire)) == seen) {
        if (!spin) bench_futex_wait((uint32_t *)word, seen);
    }
    return v;
}

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 20000, .mode = "futex" };
    bench_parse(argc, argv, &o);
    int spin = strcmp(o.mode, "spin") == 0;
    if (!spin && strcmp(o.mode, "futex") != 0) bench_fail("mode must be futex or spin");
    _Atomic uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED) bench_die("mmap");
    atomic_store(word, 0);

    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        uint32_t last = 0;
        for (;;) {
            uint32_t v = wait_change(word, last, spin);
            if (v == STOP) _exit(0);
            atomic_store_explicit(word, v + 1, memory_order_release);
            if (!spin) bench_futex_wake((uint32_t *)word);
            last = v + 1;
        }
    }

    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    unsigned long long count = 0, checksum = 0;
    uint32_t last = 0;
    for (int r = -o.warmup; r < o.repetitions; r++) {
        uint64_t start = bench_now_ns();
        for (long i = 0; i < o.iterations; i++) {
            uint32_t ping = last + 1;
            atomic_store_explicit(word, ping, memory_order_release);
            if (!spin) bench_futex_wake((uint32_t *)word);
            uint32_t answer = wait_change(word, ping, spin);
            if (answer != ping + 1) bench_fail("answer was not ping + 1");
            last = answer;
            if (r >= 0) {
                count++;
                checksum += answer;
            }
        }
        if (r >= 0) samples[r] = (double)(bench_now_ns() - start) / 1e3 / (double)o.iterations;
    }
    atomic_store(word, STOP);
    if (!spin) bench_futex_wake((uint32_t *)word);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) bench_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench_fail("child failed");
    bench_emit(spin ? "c.spin_pingpong" : "c.futex_pingpong", "us", samples, o.repetitions, count, checksum);
    return 0;
}
