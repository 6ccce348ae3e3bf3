/* fork + _exit(0) in the child + waitpid in the parent: the floor for process creation. */
#include "bench_common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 200 };
    bench_parse(argc, argv, &o);
    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    unsigned long long count = 0, checksum = 0;
    for (int r = -o.warmup; r < o.repetitions; r++) {
        uint64_t start = bench_now_ns();
        for (long i = 0; i < o.iterations; i++) {
            pid_t pid = fork();
            if (pid < 0) bench_die("fork");
            if (pid == 0) _exit((int)(i & 0x7f));
            int status;
            while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) bench_die("waitpid");
            }
            if (!WIFEXITED(status) || WEXITSTATUS(status) != (int)(i & 0x7f)) bench_fail("child exit code");
            if (r >= 0) {
                count++;
                checksum += (unsigned long long)WEXITSTATUS(status);
            }
        }
        if (r >= 0) samples[r] = (double)(bench_now_ns() - start) / 1e3 / (double)o.iterations;
    }
    bench_emit("c.fork_exit_wait", "us", samples, o.repetitions, count, checksum);
    return 0;
}
