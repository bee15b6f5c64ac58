"""Lazy Pirate server: a REP socket that answers each request with the request itself.

The server half of the zguide's "Lazy Pirate" recipe (reliable request-reply on the
client side, see ``lazy_pirate_client.py``). Kill it at any time and start it again on
the same endpoint: the clients retry and lose nothing. ``--work`` simulates a slow
service (seconds per request).

    python examples/lazy_pirate_server.py --endpoint tcp://127.0.0.1:5558

With ``--endpoint tcp://127.0.0.1:*`` the port is chosen by the system; the first line
printed names it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, work: float) -> None:
    """Bind ``endpoint`` and echo every request, taking ``work`` seconds for each."""
    async with aiomq.Context() as ctx, ctx.socket(aiomq.REP) as rep:
        rep.bind(endpoint)
        print(f"server: bound to {rep.last_endpoint.decode()}", flush=True)
        while True:
            request = await rep.recv_multipart()
            if work:
                await asyncio.sleep(work)  # the "service": some work per request
            await rep.send_multipart(request)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5558", help="endpoint to bind")
    parser.add_argument("--work", type=float, default=0.0, help="seconds of work per request")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        aiomq.run(main(args.endpoint, args.work))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
