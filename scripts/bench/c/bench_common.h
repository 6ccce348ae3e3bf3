/*
 * Shared helpers for the C reference benchmarks: option parsing, a monotonic clock,
 * median/min/max over repetitions, and the one-JSON-object-per-figure output that
 * PosixProcs.Benchmarks parses (ExternalFigure). Header-only so each reference stays
 * one self-contained program.
 *
 * Output contract, one line per figure on stdout:
 *   {"name":..., "unit":..., "value":median, "min":..., "max":..., "repetitions":N,
 *    "count":operations done over all timed repetitions, "checksum":work-derived number}
 * Errors go to stderr and the exit code is non-zero: a reference that could not prove
 * its work never prints a figure.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int repetitions;     /* timed repetitions */
    int warmup;          /* untimed repetitions first */
    long iterations;     /* operations per repetition */
    long size;           /* message or chunk size in bytes, where it applies */
    const char *mode;    /* variant selector, where it applies */
} bench_options;

static inline void bench_die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(1);
}

static inline void bench_fail(const char *message)
{
    fprintf(stderr, "check failed: %s\n", message);
    exit(1);
}

/* --repetitions N --warmup N --iterations N --size N --mode NAME; defaults come from the caller. */
static inline void bench_parse(int argc, char **argv, bench_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "option %s needs a value\n", a);
            exit(2);
        }
        const char *v = argv[++i];
        if (strcmp(a, "--repetitions") == 0) o->repetitions = atoi(v);
        else if (strcmp(a, "--warmup") == 0) o->warmup = atoi(v);
        else if (strcmp(a, "--iterations") == 0) o->iterations = atol(v);
        else if (strcmp(a, "--size") == 0) o->size = atol(v);
        else if (strcmp(a, "--mode") == 0) o->mode = v;
        else {
            fprintf(stderr, "unknown option %s (known: --repetitions --warmup --iterations --size --mode)\n", a);
            exit(2);
        }
    }
    if (o->repetitions < 1 || o->warmup < 0 || o->iterations < 1) {
        fprintf(stderr, "repetitions and iterations must be at least 1, warmup at least 0\n");
        exit(2);
    }
}

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int bench_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts samples in place and prints the figure; the median of an even count is the mean of the middle two. */
static inline void bench_emit(const char *name, const char *unit, double *samples, int n,
                              unsigned long long count, unsigned long long checksum)
{
    qsort(samples, (size_t)n, sizeof(double), bench_compare);
    double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
    printf("{\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.6g,\"min\":%.6g,\"max\":%.6g,"
           "\"repetitions\":%d,\"count\":%llu,\"checksum\":%llu}\n",
           name, unit, median, samples[0], samples[n - 1], n, count, checksum);
    fflush(stdout);
}

/* Reads or writes exactly n bytes, retrying EINTR and short transfers. */
static inline void bench_read_all(int fd, void *buffer, size_t n)
{
    char *p = buffer;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) bench_die("read");
        if (r == 0) bench_fail("unexpected end of file");
        p += r;
        n -= (size_t)r;
    }
}

static inline void bench_write_all(int fd, const void *buffer, size_t n)
{
    const char *p = buffer;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) bench_die("write");
        p += w;
        n -= (size_t)w;
    }
}

#endif
