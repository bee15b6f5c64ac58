"""Subscriber: a SUB socket that connects and prints the updates starting with "1".

Start it before or after the publisher (``examples/pubsub/pub.py``): it retries its
connection in the background and sends its subscription once connected, so it sees
the updates published from then on (the ones before are not kept for it).

    python examples/pubsub/sub.py --endpoint tcp://127.0.0.1:5556 --count 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

import aiomq


async def main(endpoint: str, count: int) -> None:
    received = 0
    async with aiomq.Context() as ctx, ctx.socket(aiomq.SUB) as sub:
        sub.connect(endpoint)
        sub.subscribe("1")  # a prefix: every message whose first frame starts with "1"
        while count == 0 or received < count:
            update = await sub.recv()
            print(f"sub: {update.decode()}", flush=True)
            received += 1
    print(f"sub: done after {received} updates", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5556", help="endpoint to connect")
    parser.add_argument(
        "--count", type=int, default=0, help="updates to receive before exiting (0: forever)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(args.endpoint, args.count))
