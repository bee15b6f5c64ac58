"""Exclusive pair, connecting side: sends a ``ping`` and waits for the ``pong``.

Run together with ``examples/pair/bind.py`` on the same endpoint, in either
order: messages sent before the peer is up wait in the socket's queue.

    python examples/pair/connect.py --endpoint ipc:///tmp/aiomq-pair.ipc --count 3
"""

from __future__ import annotations

import argparse
import asyncio

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PAIR) as pair:
        pair.connect(endpoint)
        for n in range(count):
            await pair.send(f"ping {n}".encode())
            reply = await pair.recv()
            print(f"connect: received {reply.decode()}", flush=True)
        print(f"connect: done after {count} rounds", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="ipc:///tmp/aiomq-pair.ipc", help="endpoint to connect"
    )
    parser.add_argument("--count", type=int, default=3, help="number of rounds")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    asyncio.run(main(args.endpoint, args.count))
