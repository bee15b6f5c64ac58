"""Consumer behind a streamer: a PULL socket that receives the tasks the streamer passes on.

It connects to the streamer's PUSH backend (``aiomq proxy streamer ... --backend EP``);
run several and the streamer shares the tasks among them. See
``examples/devices/producer.py``::

    python examples/devices/consumer.py --endpoint tcp://127.0.0.1:5566 --count 5
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int, name: str) -> None:
    received = 0
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PULL) as pull:
        pull.connect(endpoint)  # retried in the background until the device is up
        print(f"{name}: connecting to {endpoint}", flush=True)
        while count == 0 or received < count:
            task = await pull.recv()
            print(f"{name}: {task.decode()}", flush=True)
            received += 1
    print(f"{name}: done after {received} tasks", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5566", help="the streamer's backend, to connect"
    )
    parser.add_argument(
        "--count", type=int, default=0, help="tasks to receive before exiting (0: forever)"
    )
    parser.add_argument("--name", default="consumer", help="name shown in the output")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count, args.name))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
