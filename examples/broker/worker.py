"""Broker worker: a REP socket that connects to the broker's backend and answers requests.

The answer is the request in upper case. Run as many workers as you like; the broker
(``broker.py``) shares the requests out among them. Stop a worker with Ctrl-C or SIGTERM.

    python examples/broker/worker.py --endpoint tcp://127.0.0.1:5560 --name worker-1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

import aiomq


async def work(
    ctx: aiomq.Context, endpoint: str, name: str, handled: list[str], *, verbose: bool = True
) -> None:
    """Answer requests until cancelled, appending each request's text to ``handled``."""
    async with ctx.socket(aiomq.REP) as rep:
        rep.connect(endpoint)
        while True:
            # The REP socket strips the envelope [client id, b""] and restores it on send.
            request = (await rep.recv()).decode()
            await rep.send(request.upper().encode())
            handled.append(request)
            if verbose:
                print(f"{name}: handled {request!r}", flush=True)


async def main(endpoint: str, name: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # (no signal handlers on Windows)
            loop.add_signal_handler(signum, stop.set)
    handled: list[str] = []
    async with aiomq.Context() as ctx:
        print(f"{name}: connecting to {endpoint}", flush=True)
        serving = asyncio.create_task(work(ctx, endpoint, name, handled))
        await stop.wait()
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    print(f"{name}: stopped after {len(handled)} requests", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5560", help="the broker's backend endpoint"
    )
    parser.add_argument("--name", default="worker", help="name shown in the output")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.name))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
