"""Lazy Pirate client: reliable request-reply over a REQ socket (zguide, chapter 4).

Each request is sent, and its reply awaited for ``--timeout`` seconds. When no reply
comes, the REQ socket is in the middle of a request it can never finish: the client
closes it with LINGER 0 (dropping the unsent request), opens a new one and sends the
same request again, up to ``--retries`` times, then gives up (exit status 1).

Requests are numbered; a reply must carry the number of the request it answers.

    python examples/lazy_pirate_client.py --endpoint tcp://127.0.0.1:5558 --count 10

Prints ``reply N`` for each request answered, ``retry N`` for each resend, and finally
``client: done, C requests, R retries``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


def open_req(ctx: aiomq.Context, endpoint: str) -> aiomq.Socket:
    """A new REQ socket connected to ``endpoint``."""
    req = ctx.socket(aiomq.REQ)
    req.connect(endpoint)
    return req


async def main(endpoint: str, count: int, wait: float, retries: int) -> int:
    """Send ``count`` numbered requests, waiting ``wait`` seconds for each reply and
    resending up to ``retries`` times; return the exit status."""
    resent = 0
    async with aiomq.Context() as ctx:
        req = open_req(ctx, endpoint)
        print(f"client: connecting to {endpoint}", flush=True)
        try:
            for seq in range(count):
                request = b"%d" % seq
                for attempt in range(retries + 1):
                    if attempt:
                        print(f"retry {seq}", flush=True)
                        resent += 1
                    await req.send(request)
                    try:
                        async with asyncio.timeout(wait):
                            reply = await req.recv()
                    except TimeoutError:
                        # No reply: the server may be gone. Throw the socket away (a
                        # REQ must not send again before it received) and start over.
                        req.close(linger=0)
                        req = open_req(ctx, endpoint)
                        continue
                    if reply != request:
                        print(f"client: bad reply {reply!r} to {seq}", file=sys.stderr)
                        return 1
                    print(f"reply {seq}", flush=True)
                    break
                else:
                    print(f"client: no reply to {seq}, giving up", file=sys.stderr, flush=True)
                    return 1
        finally:
            req.close(linger=0)
    print(f"client: done, {count} requests, {resent} retries", flush=True)
    return 0


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5558", help="endpoint to connect")
    parser.add_argument("--count", type=int, default=10, help="requests to send")
    parser.add_argument("--timeout", type=float, default=2.5, help="seconds to wait for a reply")
    parser.add_argument("--retries", type=int, default=3, help="resends before giving up")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        sys.exit(aiomq.run(main(args.endpoint, args.count, args.timeout, args.retries)))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
