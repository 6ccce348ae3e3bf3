"""Shared helpers for the Python references: options, timing and the JSON figure line.

Every script prints one JSON object per figure on stdout, the same contract as the C
references (see scripts/bench/c/bench_common.h): name, unit, value (the median), min,
max, repetitions, count (operations over all timed repetitions) and checksum (a number
derived from the results, so work that was skipped fails the check).
Timing happens inside the script with time.perf_counter, after warm-up, so interpreter
start-up (and pyenv shims) never enter a figure.
"""

import argparse
import json
import statistics
import sys
import time


def parse(description, **defaults):
    """Parses --repetitions, --warmup, --iterations, --only; defaults per script."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repetitions", type=int, default=defaults.get("repetitions", 5))
    parser.add_argument("--warmup", type=int, default=defaults.get("warmup", 1))
    parser.add_argument("--iterations", type=int, default=defaults.get("iterations", 1000))
    parser.add_argument("--only", action="append", default=[],
                        help="run only the figures with these names (repeatable)")
    for name, value in defaults.items():
        if name not in ("repetitions", "warmup", "iterations"):
            parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    options = parser.parse_args()
    if options.repetitions < 1 or options.warmup < 0 or options.iterations < 1:
        parser.error("repetitions and iterations must be at least 1, warmup at least 0")
    return options


def wanted(options, name):
    """Whether the figure `name` was selected with --only (all are, by default)."""
    return not options.only or name in options.only


def measure(options, run_once, to_value):
    """Runs run_once() warm-up + timed times; returns (values, total count, total checksum).

    run_once returns (count, checksum) for the work it did; to_value(seconds, count)
    turns one timed repetition into the figure's unit.
    """
    values, count, checksum = [], 0, 0
    for repetition in range(-options.warmup, options.repetitions):
        start = time.perf_counter()
        done, check = run_once()
        elapsed = time.perf_counter() - start
        if repetition >= 0:
            values.append(to_value(elapsed, done))
            count += done
            checksum += check
    return values, count, checksum


def emit(name, unit, values, count, checksum):
    """Prints one figure as a JSON line."""
    print(json.dumps({
        "name": name,
        "unit": unit,
        "value": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "repetitions": len(values),
        "count": count,
        "checksum": checksum,
    }), flush=True)


def fail(message):
    """A check failed: no figure, a message on stderr, exit code 1."""
    print(f"check failed: {message}", file=sys.stderr)
    sys.exit(1)


def per_second(seconds, count):
    return count / seconds


def microseconds_each(seconds, count):
    return seconds * 1e6 / count


def milliseconds_each(seconds, count):
    return seconds * 1e3 / count
