"""Pipeline manager: a PUSH socket that binds and pushes timestamped tasks.

Run a worker (``examples/pipeline/worker.py``) against the same endpoint, in
either order: the worker retries its connection until the manager is up, and
the manager's sends wait until a worker is there to take them.

    python examples/pipeline/manager.py --endpoint tcp://127.0.0.1:5557 --count 10
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PUSH) as push:
        push.bind(endpoint)
        print(f"manager: bound to {push.last_endpoint.decode()}", flush=True)
        for n in range(count):
            # Two frames: the task, and when it was sent (for the worker's latency).
            stamp = str(time.time()).encode()
            await push.send_multipart([f"task {n}".encode(), stamp])
        print(f"manager: sent {count} tasks", flush=True)
    # Leaving ``async with`` waits (bounded by LINGER) until the queued tasks
    # have been written to the worker, so none is lost when the process exits.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5557", help="endpoint to bind")
    parser.add_argument("--count", type=int, default=10, help="number of tasks to push")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
