"""Broker demo: a broker, three workers and three clients in one process, then exit.

It uses the pieces of ``broker.py``, ``worker.py`` and ``client.py`` over ``inproc://``
by default (pass ``--endpoint``/``--backend`` to use tcp or ipc instead):

    python examples/broker/demo.py
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from broker import relay
from client import ask
from worker import work

import aiomq

CLIENTS = 3
WORKERS = 3
REQUESTS = 3  # per client


async def main(endpoint: str, backend_endpoint: str) -> None:
    async with aiomq.Context() as ctx:
        frontend = ctx.socket(aiomq.ROUTER)
        backend = ctx.socket(aiomq.DEALER)
        frontend.bind(endpoint)
        backend.bind(backend_endpoint)
        handled: list[list[str]] = [[] for _ in range(WORKERS)]
        async with asyncio.TaskGroup() as tasks:
            broker = tasks.create_task(relay(frontend, backend, CLIENTS * REQUESTS))
            backend_endpoint = backend.last_endpoint.decode()
            frontend_endpoint = frontend.last_endpoint.decode()
            workers = [
                tasks.create_task(
                    work(ctx, backend_endpoint, f"worker-{n}", handled[n], verbose=False)
                )
                for n in range(WORKERS)
            ]
            answers = await asyncio.gather(
                *(ask(ctx, frontend_endpoint, f"client-{n}", REQUESTS) for n in range(CLIENTS))
            )
            counts = await broker
            for task in workers:
                task.cancel()
        for lines in answers:
            for line in lines:
                print(line)
        print(f"broker: relayed {counts.requests} requests, {counts.replies} replies")
        total = sum(len(requests) for requests in handled)
        print(f"workers: {WORKERS} workers handled {total} requests")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", default="inproc://clients", help="client-side endpoint")
    parser.add_argument("--backend", default="inproc://workers", help="worker-side endpoint")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    try:
        asyncio.run(main(args.endpoint, args.backend))
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's status for SIGINT
        sys.exit(130)
