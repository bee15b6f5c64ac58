"""Producer in front of a streamer: a PUSH socket that sends numbered tasks through it.

Start the streamer device and a consumer (``examples/devices/consumer.py``) in any order::

    aiomq proxy streamer --frontend tcp://127.0.0.1:5565 --backend tcp://127.0.0.1:5566
    python examples/devices/consumer.py --endpoint tcp://127.0.0.1:5566 --count 5
    python examples/devices/producer.py --endpoint tcp://127.0.0.1:5565 --count 5

The producer connects to the streamer's PULL frontend; the streamer passes each task on
through its PUSH backend to one of the consumers connected there (round robin), so
producers and consumers can come and go without knowing of each other.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PUSH) as push:
        push.connect(endpoint)  # the streamer's PULL frontend; retried until it is up
        print(f"producer: connecting to {endpoint}", flush=True)
        for n in range(count):
            await push.send(b"task %d" % n)  # waits while no streamer is there to take it
        print(f"producer: sent {count} tasks", flush=True)
    # Leaving ``async with`` waits (bounded by LINGER) until every task is written.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5565", help="the streamer's frontend, to connect"
    )
    parser.add_argument("--count", type=int, default=10, help="tasks to send")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
