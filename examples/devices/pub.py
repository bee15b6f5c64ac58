"""Publisher behind a forwarder: publishes "weather" and "sports" updates through it.

Start the forwarder device and a subscriber (``examples/devices/sub.py``) in any order::

    aiomq proxy forwarder --frontend tcp://127.0.0.1:5563 --backend tcp://127.0.0.1:5564
    python examples/devices/sub.py --endpoint tcp://127.0.0.1:5564 --count 5
    python examples/devices/pub.py --endpoint tcp://127.0.0.1:5563 --count 5

The publisher is an XPUB: the forwarder passes subscriptions upstream, so it waits for the
first one before publishing and no update is published before anybody listens.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.XPUB) as pub:
        pub.connect(endpoint)  # the forwarder's XSUB frontend
        print(f"pub: connecting to {endpoint}, waiting for a subscriber", flush=True)
        subscription = await pub.recv()  # b"\x01" + topic, passed on by the forwarder
        print(f"pub: first subscription to {subscription[1:].decode()!r}", flush=True)
        for n in range(count):
            await pub.send_multipart([b"sports", b"%d" % n])
            await pub.send_multipart([b"weather", b"%d" % n])
    # Leaving ``async with`` waits (bounded by LINGER) until every update is written.
    print(f"pub: published {count} updates of each topic", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5563", help="the forwarder's frontend, to connect"
    )
    parser.add_argument("--count", type=int, default=10, help="updates of each topic")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
