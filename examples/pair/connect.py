"""Exclusive pair, connecting side: sends a ``ping`` and waits for the ``pong``.

Run together with ``examples/pair/bind.py`` on the same endpoint, in either
order: messages sent before the peer is up wait in the socket's queue.

    python examples/pair/connect.py --endpoint ipc:///tmp/aiomq-pair.ipc --count 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PAIR) as pair:
        # Once the last pong is in, nothing is left to send: LINGER 0 only drops a ping that
        # no peer took, instead of keeping the program open for it (Ctrl-C).
        pair.linger = 0
        pair.connect(endpoint)
        print(f"connect: connecting to {endpoint}", flush=True)
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
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
