"""Python Process start+join per start method (fork, spawn, forkserver): the references
for worker start-up (issue 5) and for raw fork latency. Each child puts its index in a
shared Value-free way: its exit code, which the parent checks.
"""

import multiprocessing

import bench_common as bench


def child(code):
    raise SystemExit(code)


def main():
    options = bench.parse(__doc__, iterations=20)
    for method in ("fork", "spawn", "forkserver"):
        name = f"py.process_start_join_{method}"
        if not bench.wanted(options, name):
            continue
        context = multiprocessing.get_context(method)

        def start_join():
            total = 0
            for i in range(options.iterations):
                process = context.Process(target=child, args=(i % 100,))
                process.start()
                process.join()
                if process.exitcode != i % 100:
                    bench.fail(f"{method} child exit code {process.exitcode} != {i % 100}")
                total += process.exitcode
            return options.iterations, total

        bench.emit(name, "ms", *bench.measure(options, start_join, bench.milliseconds_each))


if __name__ == "__main__":
    main()
