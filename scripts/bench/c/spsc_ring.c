/*
 * A single-producer single-consumer ring of 64-byte messages in a MAP_SHARED mapping,
 * between this process (producer) and a forked child (consumer): the reference the
 * PosixProcs ring (issue 4) is compared against.
 *
 * Layout (free-running 32-bit indexes; capacity a power of two):
 *   offset   0  head       next slot the producer will publish (consumer's futex word)
 *   offset 128  tail       next slot the consumer will read    (producer's futex word)
 *   offset 256  consumer_waiting, offset 384 producer_waiting (futex mode only)
 *   offset 512  checksums, one uint64 per repetition, written by the consumer
 *   then        slots[capacity][64]
 * Head and tail sit 128 bytes apart so they never share a cache line or a prefetch pair.
 *
 * Modes: spin | futex, each optionally -batched. Per-message publish stores head after
 * every message and the consumer releases tail after every message; batched publishes
 * up to BATCH messages at once and releases whatever run it consumed at once. In futex
 * mode a side that finds the ring empty (full) announces itself in *_waiting and sleeps
 * on head (tail); the other side wakes it after publishing. The seq_cst store/load pairs
 * make the announce-then-recheck race free.
 *
 * Each message carries its sequence number in bytes 0..7 and its complement in 56..63;
 * the consumer checks both, so every byte range of the slot is written and read.
 */
#include "bench_common.h"
#include "bench_futex.h"
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

#define MESSAGE 64
#define BATCH 32

typedef struct {
    _Atomic uint32_t head;
    char pad0[124];
    _Atomic uint32_t tail;
    char pad1[124];
    _Atomic uint32_t consumer_waiting;
    char pad2[124];
    _Atomic uint32_t producer_waiting;
    char pad3[124];
    _Atomic uint64_t checksums[64];
} ring_header;

_Static_assert(sizeof(ring_header) == 1024, "header layout");

static int futex_mode;

/* Waits until *index differs from seen; the other side wakes via *waiting in futex mode. */
static uint32_t wait_index(_Atomic uint32_t *index, _Atomic uint32_t *waiting, uint32_t seen)
{
    uint32_t v;
    while ((v = atomic_load_explicit(index, memory_order_acquire)) == seen) {
        if (futex_mode) {
            atomic_store(waiting, 1);
            if (atomic_load(index) == seen) bench_futex_wait((uint32_t *)index, seen);
            atomic_store(waiting, 0);
        } else {
            CPU_RELAX();
        }
    }
    return v;
}

static void publish(_Atomic uint32_t *index, _Atomic uint32_t *waiting, uint32_t value)
{
    if (futex_mode) {
        /* seq_cst store then load: pairs with the waiter's announce-then-recheck. */
        atomic_store(index, value);
        if (atomic_load(waiting)) bench_futex_wake((uint32_t *)index);
    } else {
        atomic_store_explicit(index, value, memory_order_release);
    }
}

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 2000000, .size = 1024, .mode = "spin" };
    bench_parse(argc, argv, &o);
    int batched = strstr(o.mode, "-batched") != NULL;
    futex_mode = strncmp(o.mode, "futex", 5) == 0;
    if (!futex_mode && strncmp(o.mode, "spin", 4) != 0) bench_fail("mode must be spin, futex, spin-batched or futex-batched");
    uint32_t capacity = (uint32_t)o.size;
    if (capacity < BATCH || (capacity & (capacity - 1)) != 0) bench_fail("capacity (--size) must be a power of two >= 32");
    int rounds = o.warmup + o.repetitions;
    if (rounds > 64) bench_fail("at most 64 warm-up + timed repetitions");

    size_t bytes = sizeof(ring_header) + (size_t)capacity * MESSAGE;
    ring_header *h = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED) bench_die("mmap");
    unsigned char *slots = (unsigned char *)h + sizeof(ring_header);
    uint64_t per_round = (uint64_t)o.iterations;

    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        uint32_t tail = 0;
        uint64_t seq = 0, sum = 0;
        for (int round = 0; round < rounds; round++) {
            uint64_t end = seq + per_round;
            sum = 0;
            while (seq < end) {
                uint32_t head = wait_index(&h->head, &h->consumer_waiting, tail);
                uint32_t available = head - tail;
                for (uint32_t k = 0; k < available && seq < end; k++) {
                    unsigned char *slot = slots + (size_t)(tail & (capacity - 1)) * MESSAGE;
                    uint64_t first, last;
                    memcpy(&first, slot, 8);
                    memcpy(&last, slot + MESSAGE - 8, 8);
                    if (first != seq || last != ~seq) _exit(3);
                    sum += first;
                    seq++;
                    tail++;
                    if (seq == end) atomic_store_explicit(&h->checksums[round], sum, memory_order_relaxed);
                    if (!batched || k + 1 == available || seq == end) publish(&h->tail, &h->producer_waiting, tail);
                }
            }
        }
        _exit(0);
    }

    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    unsigned long long count = 0, checksum = 0;
    uint32_t head = 0, tail_cache = 0;
    uint64_t seq = 0, expected = 0;
    unsigned char message[MESSAGE];
    memset(message, 0xa5, sizeof message);
    for (int round = 0; round < rounds; round++) {
        uint64_t end = seq + per_round;
        uint64_t start = bench_now_ns();
        while (seq < end) {
            /* Space is refreshed from the consumer's tail only when the cached view says full. */
            if (head - tail_cache == capacity) tail_cache = wait_index(&h->tail, &h->producer_waiting, head - capacity);
            uint32_t room = capacity - (head - tail_cache);
            uint32_t n = batched ? (room < BATCH ? room : BATCH) : 1;
            if ((uint64_t)n > end - seq) n = (uint32_t)(end - seq);
            for (uint32_t k = 0; k < n; k++) {
                unsigned char *slot = slots + (size_t)(head & (capacity - 1)) * MESSAGE;
                uint64_t inverse = ~seq;
                memcpy(message, &seq, 8);
                memcpy(message + MESSAGE - 8, &inverse, 8);
                memcpy(slot, message, MESSAGE);
                expected += seq;
                seq++;
                head++;
            }
            publish(&h->head, &h->consumer_waiting, head);
        }
        /* The repetition ends when the consumer has taken the last message. */
        uint32_t t;
        while ((t = atomic_load_explicit(&h->tail, memory_order_acquire)) != head) wait_index(&h->tail, &h->producer_waiting, t);
        tail_cache = head;
        uint64_t elapsed = bench_now_ns() - start;
        uint64_t got = atomic_load_explicit(&h->checksums[round], memory_order_relaxed);
        if (got != expected) bench_fail("consumer checksum differs from what was produced");
        if (round >= o.warmup) {
            samples[round - o.warmup] = (double)per_round / ((double)elapsed / 1e9);
            count += per_round;
            checksum += got;
        }
        expected = 0;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) bench_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench_fail("consumer child failed");
    char name[64];
    snprintf(name, sizeof name, "c.spsc_ring_%s", o.mode);
    for (char *p = name; *p; p++) if (*p == '-') *p = '_';
    bench_emit(name, "msg/s", samples, o.repetitions, count, checksum);
    return 0;
}
