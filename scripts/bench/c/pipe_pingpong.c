/*
 * Round trip over two pipes between this process and a forked child: the parent writes
 * a SIZE-byte message whose first byte is a sequence number, the child reads it whole,
 * adds one to the first byte and writes it back. The checksum sums the returned bytes,
 * so a reply that was not computed by the child fails the check.
 */
#include "bench_common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 20000, .size = 64 };
    bench_parse(argc, argv, &o);
    if (o.size < 1 || o.size > 4096) bench_fail("size must be 1..4096 (one atomic pipe write)");
    int to_child[2], to_parent[2];
    if (pipe(to_child) < 0 || pipe(to_parent) < 0) bench_die("pipe");
    size_t size = (size_t)o.size;
    unsigned char *message = calloc(size, 1);

    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        for (;;) {
            size_t got = 0;
            while (got < size) {
                ssize_t r = read(to_child[0], message + got, size - got);
                if (r < 0 && errno == EINTR) continue;
                if (r <= 0) _exit(r == 0 && got == 0 ? 0 : 1); /* EOF between messages: done */
                got += (size_t)r;
            }
            message[0] = (unsigned char)(message[0] + 1);
            bench_write_all(to_parent[1], message, size);
        }
    }
    close(to_child[0]);
    close(to_parent[1]);

    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    unsigned long long count = 0, checksum = 0;
    for (int r = -o.warmup; r < o.repetitions; r++) {
        uint64_t start = bench_now_ns();
        for (long i = 0; i < o.iterations; i++) {
            message[0] = (unsigned char)i;
            bench_write_all(to_child[1], message, size);
            bench_read_all(to_parent[0], message, size);
            if (message[0] != (unsigned char)(i + 1)) bench_fail("reply was not the incremented message");
            if (r >= 0) {
                count++;
                checksum += message[0];
            }
        }
        if (r >= 0) samples[r] = (double)(bench_now_ns() - start) / 1e3 / (double)o.iterations;
    }
    close(to_child[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) bench_die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench_fail("echo child failed");
    char name[64];
    snprintf(name, sizeof name, "c.pipe_pingpong_%ldB", o.size);
    bench_emit(name, "us", samples, o.repetitions, count, checksum);
    return 0;
}
