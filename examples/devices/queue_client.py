"""Queue client: a REQ socket that sends requests through a queue device and prints replies.

Start the queue device and one or more servers (``examples/devices/queue_server.py``)::

    aiomq proxy queue --frontend tcp://127.0.0.1:5561 --backend tcp://127.0.0.1:5562
    python examples/devices/queue_server.py --endpoint tcp://127.0.0.1:5562
    python examples/devices/queue_client.py --endpoint tcp://127.0.0.1:5561 --count 3

The client connects to the device's ROUTER frontend; the device shares the requests among
the servers connected to its DEALER backend, and brings each reply back to this client.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int, name: str) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.REQ) as req:
        # Once the last reply is in, a REQ has nothing left to send: LINGER 0 only drops a
        # request that no device took, instead of keeping the program open for it (Ctrl-C).
        req.linger = 0
        req.connect(endpoint)  # retried in the background until the device is up
        print(f"{name}: connecting to {endpoint}", flush=True)
        for n in range(count):
            await req.send_multipart([name.encode(), b"request %d" % n])
            reply = await req.recv_multipart()
            print(f"{name}: {' | '.join(part.decode() for part in reply)}", flush=True)
    print(f"{name}: done after {count} requests", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5561", help="the queue's frontend, to connect"
    )
    parser.add_argument("--count", type=int, default=5, help="requests to send")
    parser.add_argument("--name", default="client", help="name sent with each request")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count, args.name))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
