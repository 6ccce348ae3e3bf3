/* posix_spawn of /bin/true + waitpid: the C floor for starting a program. */
#include "bench_common.h"
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    bench_options o = { .repetitions = 5, .warmup = 1, .iterations = 100 };
    bench_parse(argc, argv, &o);
    double *samples = calloc((size_t)o.repetitions, sizeof(double));
    char *child_argv[] = { "true", NULL };
    unsigned long long count = 0;
    for (int r = -o.warmup; r < o.repetitions; r++) {
        uint64_t start = bench_now_ns();
        for (long i = 0; i < o.iterations; i++) {
            pid_t pid;
            int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, child_argv, environ);
            if (rc != 0) {
                errno = rc;
                bench_die("posix_spawn");
            }
            int status;
            while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) bench_die("waitpid");
            }
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bench_fail("/bin/true did not exit 0");
            if (r >= 0) count++;
        }
        if (r >= 0) samples[r] = (double)(bench_now_ns() - start) / 1e3 / (double)o.iterations;
    }
    /* The checksum is the count of children that exited 0. */
    bench_emit("c.posix_spawn_true", "us", samples, o.repetitions, count, count);
    return 0;
}
