"""Python subprocess.run(capture_output=True) of /bin/echo hello: the reference for
ChildProcess.RunAsync (issue 14). Every run is checked: exit code 0, exactly b"hello\\n"
on stdout and nothing on stderr; the checksum counts the runs that passed.
"""

import subprocess

import bench_common as bench


def main():
    options = bench.parse(__doc__, iterations=100)
    name = "py.subprocess_run_capture"
    if not bench.wanted(options, name):
        return

    def run_all():
        passed = 0
        for _ in range(options.iterations):
            result = subprocess.run(["/bin/echo", "hello"], capture_output=True, timeout=30)
            if result.returncode != 0 or result.stdout != b"hello\n" or result.stderr != b"":
                bench.fail(f"echo exited {result.returncode} with {result.stdout!r} / {result.stderr!r}")
            passed += 1
        return options.iterations, passed

    bench.emit(name, "us", *bench.measure(options, run_all, bench.microseconds_each))


if __name__ == "__main__":
    main()
