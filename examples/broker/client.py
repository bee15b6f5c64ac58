"""Broker client: a REQ socket that sends ``--count`` requests through the broker.

Each request is answered by whichever worker the broker picks; the REQ socket pairs
each reply with its request (send, then receive, then send again).

    python examples/broker/client.py --endpoint tcp://127.0.0.1:5559 --name client-1
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def ask(ctx: aiomq.Context, endpoint: str, name: str, count: int) -> list[str]:
    """Send ``count`` requests one after the other; return one line per answered request."""
    lines = []
    async with ctx.socket(aiomq.REQ) as req:
        # Once the last reply is in, a REQ has nothing left to send: LINGER 0 only drops a
        # request that no broker took, instead of keeping the program open for it (Ctrl-C).
        req.linger = 0
        req.connect(endpoint)
        for n in range(count):
            request = f"{name} request {n}"
            await req.send(request.encode())
            reply = (await req.recv()).decode()
            lines.append(f"{name}: {request!r} -> {reply!r}")
    return lines


async def main(endpoint: str, name: str, count: int, seconds: float) -> None:
    print(f"{name}: connecting to {endpoint}", flush=True)
    async with aiomq.Context() as ctx, asyncio.timeout(seconds):
        for line in await ask(ctx, endpoint, name, count):
            print(line, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5559", help="the broker's client endpoint"
    )
    parser.add_argument("--name", default="client", help="name used in requests and output")
    parser.add_argument("--count", type=int, default=3, help="number of requests")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for all replies"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.name, args.count, args.timeout))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
