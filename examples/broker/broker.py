"""Request-reply broker: a ROUTER for clients, a DEALER for workers, and a relay between.

Clients (``client.py``, REQ) connect to ``--endpoint``; workers (``worker.py``, REP)
connect to ``--backend``. Neither side knows how many of the other there are: the DEALER
spreads requests over the workers round robin, and each reply finds its way back because
the ROUTER's routing-id frame travels with the request and the REP worker returns it.

    python examples/broker/broker.py --endpoint tcp://127.0.0.1:5559 \\
        --backend tcp://127.0.0.1:5560

Stop it with Ctrl-C, or give ``--requests`` to exit after relaying that many replies.
``demo.py`` runs a broker, workers and clients in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

import aiomq


@dataclass
class Relayed:
    """How many messages went each way."""

    requests: int = 0
    replies: int = 0


async def relay(frontend: aiomq.Socket, backend: aiomq.Socket, requests: int = 0) -> Relayed:
    """Forward requests frontend → backend and replies backend → frontend.

    Runs until ``requests`` replies were relayed (0: until cancelled). Messages pass
    whole and unchanged: ``[client id, b"", body...]`` in both directions.
    """
    counts = Relayed()
    done = asyncio.Event()

    async def requests_to_workers() -> None:
        while True:
            await backend.send_multipart(await frontend.recv_multipart())
            counts.requests += 1

    async def replies_to_clients() -> None:
        while True:
            await frontend.send_multipart(await backend.recv_multipart())
            counts.replies += 1
            if counts.replies == requests:
                done.set()

    async with asyncio.TaskGroup() as tasks:
        forward = tasks.create_task(requests_to_workers())
        backward = tasks.create_task(replies_to_clients())
        try:
            await done.wait()
        finally:
            forward.cancel()
            backward.cancel()
    return counts


async def main(endpoint: str, backend_endpoint: str, requests: int) -> None:
    async with aiomq.Context() as ctx:
        frontend = ctx.socket(aiomq.ROUTER)
        backend = ctx.socket(aiomq.DEALER)
        frontend.bind(endpoint)
        backend.bind(backend_endpoint)
        clients, workers = frontend.last_endpoint.decode(), backend.last_endpoint.decode()
        print(f"broker: clients {clients}, workers {workers}", flush=True)
        counts = await relay(frontend, backend, requests)
        print(f"broker: relayed {counts.requests} requests, {counts.replies} replies", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--endpoint", default="tcp://127.0.0.1:5559", help="endpoint the clients connect to"
    )
    parser.add_argument(
        "--backend", default="tcp://127.0.0.1:5560", help="endpoint the workers connect to"
    )
    parser.add_argument(
        "--requests", type=int, default=0, help="replies to relay before exiting (0: forever)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.backend, args.requests))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
