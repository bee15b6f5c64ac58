"""Publisher: a PUB socket that binds and publishes two kinds of updates.

Every ``--interval`` seconds it publishes ``1-Update! >> #id >> time`` and
``2-Update! >> #id >> time``. Subscribers (``examples/pubsub/sub.py``) choose what
they receive by prefix; the publisher sends each update only to the subscribers
whose subscription matches, and never waits for a slow or absent one.

    python examples/pubsub/pub.py --endpoint tcp://127.0.0.1:5556 --count 10

Over multicast, give both sides the same ``epgm://interface;group:port`` endpoint, e.g.
``--endpoint "epgm://eth0;239.192.1.1:5556"`` (see docs/multicast.md).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

import aiomq


async def main(endpoint: str, interval: float, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.PUB) as pub:
        pub.bind(endpoint)
        print(f"pub: bound to {pub.last_endpoint.decode()}", flush=True)
        update = 0
        while count == 0 or update < count:
            now = datetime.now().strftime("%H:%M:%S.%f")[:-3]
            for kind in (1, 2):
                await pub.send(f"{kind}-Update! >> #{update} >> {now}".encode())
            update += 1
            await asyncio.sleep(interval)
        print(f"pub: published {update} updates of each kind", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5556", help="endpoint to bind")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between two rounds of updates"
    )
    parser.add_argument(
        "--count", type=int, default=0, help="rounds of updates to publish (0: forever)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.interval, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
