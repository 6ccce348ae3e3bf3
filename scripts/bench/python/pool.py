"""Python pool references (issue 5): trivial-task throughput with 2 workers through
multiprocessing.Pool.map (chunksize=1 and the default), Pool.imap (chunksize=1, its
default) and concurrent.futures' ProcessPoolExecutor (submit and map), and Pool.map over
1,000,000 small items.

The pools are created once, outside the timing (the targets compare warm pools);
each task's result is checked.
"""

import concurrent.futures
import multiprocessing

import bench_common as bench


def increment(x):
    """The trivial task: its result proves the worker ran it."""
    return x + 1


def checked(results, items):
    total = sum(results)
    expected = sum(items) + len(items)
    if total != expected:
        bench.fail(f"sum of results {total} != {expected}")
    return len(items), total


def main():
    options = bench.parse(__doc__, iterations=2000, items=1_000_000, workers=2, start_method="fork")
    context = multiprocessing.get_context(options.start_method)
    tasks = list(range(options.iterations))
    items = list(range(options.items))
    with context.Pool(options.workers) as pool:
        if bench.wanted(options, "py.pool_map_chunksize1"):
            bench.emit("py.pool_map_chunksize1", "tasks/s",
                       *bench.measure(options, lambda: checked(pool.map(increment, tasks, chunksize=1), tasks), bench.per_second))
        if bench.wanted(options, "py.pool_map_default"):
            bench.emit("py.pool_map_default", "tasks/s",
                       *bench.measure(options, lambda: checked(pool.map(increment, tasks), tasks), bench.per_second))
        if bench.wanted(options, "py.pool_imap_chunksize1"):
            bench.emit("py.pool_imap_chunksize1", "tasks/s",
                       *bench.measure(options, lambda: checked(list(pool.imap(increment, tasks)), tasks), bench.per_second))
        if bench.wanted(options, "py.pool_map_1M_items"):
            bench.emit("py.pool_map_1M_items", "items/s",
                       *bench.measure(options, lambda: checked(pool.map(increment, items), items), bench.per_second))
    with concurrent.futures.ProcessPoolExecutor(options.workers, mp_context=context) as executor:
        if bench.wanted(options, "py.ppe_submit"):
            def submit_all():
                futures = [executor.submit(increment, x) for x in tasks]
                return checked([f.result() for f in futures], tasks)
            bench.emit("py.ppe_submit", "tasks/s", *bench.measure(options, submit_all, bench.per_second))
        if bench.wanted(options, "py.ppe_map"):
            bench.emit("py.ppe_map", "tasks/s",
                       *bench.measure(options, lambda: checked(list(executor.map(increment, tasks)), tasks), bench.per_second))


if __name__ == "__main__":
    main()
