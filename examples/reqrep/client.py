"""Echo client: a REQ socket that sends its command-line words and prints the echo.

Start it before or after the server (``examples/reqrep/server.py``): ``connect`` retries
in the background and the request waits in the socket's queue until the server is up.

    python examples/reqrep/client.py --endpoint tcp://127.0.0.1:5555 hello world!
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiomq


async def main(endpoint: str, text: str, seconds: float) -> int:
    async with aiomq.Context() as ctx, ctx.socket(aiomq.REQ) as req:
        # Once the reply is in, a REQ has nothing left to send: LINGER 0 only drops a request
        # that no server took, instead of keeping the program open for it (Ctrl-C, timeout).
        req.linger = 0
        req.connect(endpoint)
        print(f"Client connecting to {endpoint}", flush=True)
        await req.send(text.encode())  # the REQ socket adds the empty delimiter frame
        try:
            async with asyncio.timeout(seconds):
                reply = await req.recv()
        except TimeoutError:
            print(f"No reply within {seconds} s", file=sys.stderr, flush=True)
            return 1
        print(f"Echo: {reply.decode(errors='replace')}", flush=True)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("words", nargs="*", default=["hello"], help="the text to send")
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5555", help="endpoint to connect")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the reply")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        sys.exit(asyncio.run(main(args.endpoint, " ".join(args.words), args.timeout)))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
