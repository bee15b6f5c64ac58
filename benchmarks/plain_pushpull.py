"""PUSH → PULL throughput the way a user would measure it, outside ``aiomq-bench``.

Two forked processes, one ``await send()`` / ``await recv()`` per message (blocking calls
for pyzmq), the payload ``b"x" * size``, default options, and the receiver's rate over all
but the first message. Runs the implementations one after the other, ``--runs`` times,
interleaved, and prints each run and the medians::

    python benchmarks/plain_pushpull.py --size 16 --count 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from multiprocessing.connection import Connection
from typing import Any

IMPLS = ("aiomq-asyncio", "aiomq-uvloop", "pyzmq")


def _run_loop(impl: str, main: Any) -> Any:
    if impl.endswith("uvloop"):
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)


def receiver(impl: str, size: int, count: int, endpoints: Connection, result: Connection) -> None:
    """Bind PULL, send the endpoint back, receive ``count`` messages, report the rate."""
    if impl == "pyzmq":
        import zmq

        pull = zmq.Context.instance().socket(zmq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        endpoints.send(pull.last_endpoint.decode())
        pull.recv()
        start = time.perf_counter()
        for _ in range(count - 1):
            pull.recv()
        result.send((count - 1) / (time.perf_counter() - start))
        return

    import aiomq

    async def main() -> float:
        async with aiomq.Context() as ctx, ctx.socket(aiomq.PULL) as pull:
            pull.bind("tcp://127.0.0.1:*")
            endpoints.send(pull.last_endpoint.decode())
            await pull.recv()
            start = time.perf_counter()
            for _ in range(count - 1):
                await pull.recv()
            return (count - 1) / (time.perf_counter() - start)

    result.send(_run_loop(impl, main()))


def sender(impl: str, size: int, count: int, endpoint: str) -> None:
    """Connect PUSH and send ``count`` messages, then close, flushing them."""
    payload = b"x" * size
    if impl == "pyzmq":
        import zmq

        ctx = zmq.Context.instance()
        push = ctx.socket(zmq.PUSH)
        push.connect(endpoint)
        for _ in range(count):
            push.send(payload)
        push.close()
        ctx.term()
        return

    import aiomq

    async def main() -> None:
        async with aiomq.Context() as ctx, ctx.socket(aiomq.PUSH) as push:
            push.connect(endpoint)
            for _ in range(count):
                await push.send(payload)

    _run_loop(impl, main())


def one_run(impl: str, size: int, count: int) -> float:
    """One measurement in two fresh processes; the receiver's messages per second."""
    fork = multiprocessing.get_context("fork")
    endpoints_in, endpoints_out = fork.Pipe(duplex=False)
    result_in, result_out = fork.Pipe(duplex=False)
    pull = fork.Process(target=receiver, args=(impl, size, count, endpoints_out, result_out))
    pull.start()
    endpoint = endpoints_in.recv()
    push = fork.Process(target=sender, args=(impl, size, count, endpoint))
    push.start()
    rate: float = result_in.recv()
    push.join()
    pull.join()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--impls", default=",".join(IMPLS))
    args = parser.parse_args()
    impls = args.impls.split(",")
    rates: dict[str, list[float]] = {impl: [] for impl in impls}
    for run in range(args.runs):
        for impl in impls:
            rate = one_run(impl, args.size, args.count)
            rates[impl].append(rate)
            print(f"run {run + 1} {impl}: {rate:,.0f} msg/s", flush=True)
    reference = statistics.median(rates["pyzmq"]) if "pyzmq" in rates else None
    for impl, values in rates.items():
        median = statistics.median(values)
        ratio = f" ({median / reference:.2f}x pyzmq)" if reference else ""
        print(f"median {impl}: {median:,.0f} msg/s{ratio}")


if __name__ == "__main__":
    main()
