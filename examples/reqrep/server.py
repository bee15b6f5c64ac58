"""Echo server: a REP socket that binds and sends every request straight back.

Run a client (``examples/reqrep/client.py``) against the same endpoint. The server
answers requests one at a time, in the order they arrive, until ``--count`` requests
were served (0, the default: forever; stop it with Ctrl-C).

    python examples/reqrep/server.py --endpoint tcp://127.0.0.1:5555
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, count: int) -> None:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.REP) as rep:
        rep.bind(endpoint)
        print(f"Server listening on {rep.last_endpoint.decode()}", flush=True)
        served = 0
        while count == 0 or served < count:
            # A REP socket alternates: receive one request, then send its one reply.
            request = await rep.recv_multipart()
            print(f"Received: {b' '.join(request).decode(errors='replace')}", flush=True)
            await rep.send_multipart(request)
            served += 1
    # Leaving ``async with`` waits (bounded by LINGER) until the last reply is written.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555", help="endpoint to bind")
    parser.add_argument(
        "--count", type=int, default=0, help="requests to serve before exiting (0: forever)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.count))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
