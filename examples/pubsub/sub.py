"""Subscriber: a SUB socket that connects and prints the updates whose prefix it chose.

The publisher (``examples/pubsub/pub.py``) sends ``1-Update! ...`` and ``2-Update! ...``.
By default the subscriber takes the ones starting with "1"; ``--topic`` chooses the prefix
instead, and may be repeated to subscribe to several (``--topic ""`` takes everything):

    python examples/pubsub/sub.py --endpoint tcp://127.0.0.1:5556 --count 5
    python examples/pubsub/sub.py --topic 2- --count 5
    python examples/pubsub/sub.py --topic 1 --topic 2 --count 10

Start it before or after the publisher: it retries its connection in the background and
sends its subscriptions once connected, so it sees the updates published from then on
(the ones before are not kept for it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq

DEFAULT_TOPICS = ["1"]


async def main(endpoint: str, topics: list[str], count: int) -> None:
    received = 0
    async with aiomq.Context() as ctx, ctx.socket(aiomq.SUB) as sub:
        sub.connect(endpoint)
        for topic in topics:
            sub.subscribe(topic)  # a prefix: every message whose first frame starts with it
        chosen = ", ".join(repr(topic) for topic in topics)
        print(f"sub: connecting to {endpoint}, subscribed to {chosen}", flush=True)
        while count == 0 or received < count:
            update = await sub.recv()
            print(f"sub: {update.decode()}", flush=True)
            received += 1
    print(f"sub: done after {received} updates", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5556", help="endpoint to connect")
    parser.add_argument(
        "--topic",
        dest="topics",
        action="append",
        default=argparse.SUPPRESS,  # (so that the help shows the default below, once)
        metavar="PREFIX",
        help=f"receive the updates starting with PREFIX; repeat for several "
        f"(default: {' '.join(DEFAULT_TOPICS)})",
    )
    parser.add_argument(
        "--count", type=int, default=0, help="updates to receive before exiting (0: forever)"
    )
    args = parser.parse_args()
    if "topics" not in args:
        args.topics = DEFAULT_TOPICS
    return args


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.topics, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
