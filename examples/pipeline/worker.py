"""Pipeline worker: a PULL socket that connects, pulls tasks and prints them.

It exits after ``--count`` tasks. Start it before or after the manager
(``examples/pipeline/manager.py``): ``connect`` never fails for an absent peer,
it retries in the background.

    python examples/pipeline/worker.py --endpoint tcp://127.0.0.1:5557 --count 10
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import aiomq


async def main(endpoint: str, count: int) -> None:
    latencies: list[float] = []
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PULL) as pull:
        pull.connect(endpoint)
        print(f"worker: connecting to {endpoint}", flush=True)
        for _ in range(count):
            task, stamp = await pull.recv_multipart()
            latencies.append(time.time() - float(stamp))
            print(f"worker: {task.decode()}", flush=True)
    mean_ms = 1000 * sum(latencies) / max(len(latencies), 1)
    print(f"worker: done, {count} tasks, mean latency {mean_ms:.3f} ms", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5557", help="endpoint to connect")
    parser.add_argument("--count", type=int, default=10, help="tasks to pull before exiting")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
