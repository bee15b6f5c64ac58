"""Queue server: a REP socket behind a queue device that answers every request.

It connects to the device's DEALER backend (``aiomq proxy queue ... --backend EP``), so
several servers can share the work; see ``examples/devices/queue_client.py``::

    python examples/devices/queue_server.py --endpoint tcp://127.0.0.1:5562 --count 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int, name: str) -> None:
    served = 0
    async with aiomq.Context() as ctx, ctx.socket(aiomq.REP) as rep:
        rep.connect(endpoint)  # retried in the background until the device is up
        print(f"{name}: connecting to {endpoint}", flush=True)
        while count == 0 or served < count:
            client, request = await rep.recv_multipart()
            print(f"{name}: {request.decode()} from {client.decode()}", flush=True)
            await rep.send_multipart([client, request, f"answered by {name}".encode()])
            served += 1
    # Leaving ``async with`` waits (bounded by LINGER) until the last reply is written.
    print(f"{name}: done after {served} requests", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5562", help="the queue's backend, to connect"
    )
    parser.add_argument(
        "--count", type=int, default=0, help="requests to serve before exiting (0: forever)"
    )
    parser.add_argument("--name", default="server", help="name put in each reply")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count, args.name))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
