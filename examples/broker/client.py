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
        req.connect(endpoint)
        for n in range(count):
            request = f"{name} request {n}"
            await req.send(request.encode())
            reply = (await req.recv()).decode()
            lines.append(f"{name}: {request!r} -> {reply!r}")
    return lines


async def main(endpoint: str, name: str, count: int, seconds: float) -> int:
    print(f"{name}: connecting to {endpoint}", flush=True)
    async with aiomq.Context() as ctx:
        # The default for every socket of ctx: at exit, drop a request that no broker took
        # (libzmq's LINGER -1 would keep the program open for it).
        ctx.linger = 0
        try:
            async with asyncio.timeout(seconds):
                lines = await ask(ctx, endpoint, name, count)
        except TimeoutError:
            print(f"{name}: no reply within {seconds:g} s", file=sys.stderr, flush=True)
            return 1
    for line in lines:
        print(line, flush=True)
    return 0


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
        sys.exit(asyncio.run(main(args.endpoint, args.name, args.count, args.timeout)))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
