"""Exclusive pair, binding side: answers each ``ping`` with a ``pong``.

Run together with ``examples/pair/connect.py`` on the same endpoint, in either
order. Both exit after ``--count`` rounds.

    python examples/pair/bind.py --endpoint ipc:///tmp/aiomq-pair.ipc --count 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PAIR) as pair:
        pair.bind(endpoint)
        print(f"bind: bound to {pair.last_endpoint.decode()}", flush=True)
        for n in range(count):
            request = await pair.recv()
            print(f"bind: received {request.decode()}", flush=True)
            await pair.send(f"pong {n}".encode())
        print(f"bind: done after {count} rounds", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="ipc:///tmp/aiomq-pair.ipc", help="endpoint to bind")
    parser.add_argument("--count", type=int, default=3, help="number of rounds")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
