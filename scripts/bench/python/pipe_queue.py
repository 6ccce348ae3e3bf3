"""Python multiprocessing.Pipe ping-pong round trip (SIZE-byte messages, 64 by default; send_bytes /
recv_bytes) and multiprocessing.Queue throughput (small items), each with one child
process started by fork. The child increments the first byte (Pipe) or sums the items
(Queue); the parent checks.
"""

import multiprocessing

import bench_common as bench


def echo(connection, size):
    while True:
        message = connection.recv_bytes()
        if not message:
            return
        if len(message) != size:
            raise SystemExit(2)
        connection.send_bytes(bytes([(message[0] + 1) & 0xFF]) + message[1:])


def drain(queue, results):
    while True:
        batch = queue.get()
        if batch is None:
            return
        count, total = 0, 0
        for _ in range(batch):
            total += queue.get()
            count += 1
        results.put((count, total))


def main():
    options = bench.parse(__doc__, iterations=20000, size=64)
    context = multiprocessing.get_context("fork")
    pingpong = f"py.pipe_pingpong_{options.size}B"
    if bench.wanted(options, pingpong):
        parent, child = context.Pipe()
        process = context.Process(target=echo, args=(child, options.size))
        process.start()
        message = bytearray(options.size)

        def round_trips():
            total = 0
            for i in range(options.iterations):
                message[0] = i & 0xFF
                parent.send_bytes(message)
                reply = parent.recv_bytes()
                if reply[0] != (i + 1) & 0xFF:
                    bench.fail("reply was not the incremented message")
                total += reply[0]
            return options.iterations, total

        bench.emit(pingpong, "us", *bench.measure(options, round_trips, bench.microseconds_each))
        parent.send_bytes(b"")
        process.join()
    if bench.wanted(options, "py.queue_throughput"):
        queue, results = context.Queue(), context.Queue()
        process = context.Process(target=drain, args=(queue, results))
        process.start()

        def send_all():
            queue.put(options.iterations)
            for i in range(options.iterations):
                queue.put(i)
            count, total = results.get()
            if count != options.iterations or total != options.iterations * (options.iterations - 1) // 2:
                bench.fail("the child did not get every item")
            return count, total

        bench.emit("py.queue_throughput", "msg/s", *bench.measure(options, send_all, bench.per_second))
        queue.put(None)
        process.join()


if __name__ == "__main__":
    main()
