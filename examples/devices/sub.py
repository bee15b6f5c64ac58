"""Subscriber behind a forwarder: receives the "weather" updates only.

It connects to the forwarder's XPUB backend; see ``examples/devices/pub.py``::

    python examples/devices/sub.py --endpoint tcp://127.0.0.1:5564 --count 5
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    received = 0
    async with aiomq.Context() as ctx, ctx.socket(aiomq.SUB) as sub:
        sub.connect(endpoint)
        sub.subscribe("weather")  # travels up through the forwarder to the publishers
        print(f"sub: connecting to {endpoint}, subscribed to 'weather'", flush=True)
        while count == 0 or received < count:
            topic, body = await sub.recv_multipart()
            print(f"sub: {topic.decode()} {body.decode()}", flush=True)
            received += 1
    print(f"sub: done after {received} updates", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5564", help="the forwarder's backend, to connect"
    )
    parser.add_argument(
        "--count", type=int, default=0, help="updates to receive before exiting (0: forever)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
