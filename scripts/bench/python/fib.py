"""The seeds' CPU-bound experiment: naive fib of FIRST..LAST computed serially, and with
multiprocessing.Pool of 2 workers (warm: the pool exists before timing). Figures are
seconds for the whole set; the checksum is the sum of the fib values.
"""

import multiprocessing

import bench_common as bench


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def expected(first, last):
    a, b, values = 0, 1, {}
    for n in range(last + 1):
        values[n] = a
        a, b = b, a + b
    return sum(values[n] for n in range(first, last + 1))


def main():
    options = bench.parse(__doc__, repetitions=3, warmup=0, iterations=1, first=30, last=34, workers=2)
    ns = list(range(options.first, options.last + 1))
    want = expected(options.first, options.last)

    def check(values):
        if sum(values) != want:
            bench.fail(f"fib sum {sum(values)} != {want}")
        return len(values), sum(values)

    def seconds(elapsed, _count):
        return elapsed

    if bench.wanted(options, "py.fib_serial"):
        bench.emit("py.fib_serial", "s", *bench.measure(options, lambda: check([fib(n) for n in ns]), seconds))
    if bench.wanted(options, "py.fib_pool2"):
        with multiprocessing.get_context("fork").Pool(options.workers) as pool:
            pool.map(fib, [1, 1])
            # Largest first, so the two workers finish close together.
            bench.emit("py.fib_pool2", "s",
                       *bench.measure(options, lambda: check(pool.map(fib, sorted(ns, reverse=True), chunksize=1)), seconds))


if __name__ == "__main__":
    main()
