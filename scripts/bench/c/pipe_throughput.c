/*
 * One-way pipe throughput: the parent writes ITERATIONS chunks of SIZE bytes (64 KiB by
 * default) per repetition; a forked child reads until it has them all and sends back the
 * byte count and the sum of every 4096th byte it read. The parent checks both.
 */
#include "bench_common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 4096, .size = 65536 };
    bench_parse(argc, argv, &o);
    if (o.size < 1) bench_fail("size must be positive");
    int data[2], reply[2];
    if (pipe(data) < 0 || pipe(reply) < 0) bench_die("pipe");
    size_t size = (size_t)o.size;
    unsigned char *buffer = malloc(size);
    for (size_t i = 0; i < size; i++) buffer[i] = (unsigned char)(i * 7 + 1);

    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        close(data[1]);
        close(reply[0]);
        uint64_t total;
        for (;;) {
            ssize_t r = read(data[0], &total, sizeof total);
            if (r == 0) _exit(0);
            if (r != (ssize_t)sizeof total) _exit(1);
            uint64_t got = 0, sum = 0;
            while (got < total) {
                size_t want = total - got < size ? (size_t)(total - got) : size;
                ssize_t n = read(data[0], buffer, want);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) _exit(1);
                /* Sample every 4096th byte of the stream, wherever the read boundaries fall. */
                for (uint64_t k = (got + 4095) / 4096 * 4096; k < got + (uint64_t)n; k += 4096) sum += buffer[k - got];
                got += (uint64_t)n;
            }
            uint64_t answer[2] = { got, sum };
            bench_write_all(reply[1], answer, sizeof answer);
        }
    }
    close(data[0]);
    close(reply[1]);

    uint64_t expected_sum = 0;
    uint64_t total = (uint64_t)o.iterations * size;
    for (uint64_t k = 0; k < total; k += 4096) expected_sum += buffer[k % size];

    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    unsigned long long count = 0, checksum = 0;
    for (int r = -o.warmup; r < o.repetitions; r++) {
        uint64_t start = bench_now_ns();
        bench_write_all(data[1], &total, sizeof total);
        for (long i = 0; i < o.iterations; i++) bench_write_all(data[1], buffer, size);
        uint64_t answer[2];
        bench_read_all(reply[0], answer, sizeof answer);
        uint64_t elapsed = bench_now_ns() - start;
        if (answer[0] != total || answer[1] != expected_sum) bench_fail("reader did not get every byte");
        if (r >= 0) {
            samples[r] = (double)total / (1024.0 * 1024.0) / ((double)elapsed / 1e9);
            count += (unsigned long long)o.iterations;
            checksum += answer[1];
        }
    }
    close(data[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) bench_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench_fail("reader child failed");
    bench_emit("c.pipe_throughput_64KiB", "MiB/s", samples, o.repetitions, count, checksum);
    return 0;
}
