"""aiomq devices between libzmq peers: an XSUB/XPUB forwarder, a ROUTER/DEALER queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
import zmq
import zmq.asyncio

import aiomq
from aiomq.devices import proxy

from .libzmq_helpers import DEADLINE, TCP_ANY, EventRecorder, Libzmq

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]


@contextlib.asynccontextmanager
async def running(coro: Coroutine[Any, Any, None]) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.get_running_loop().create_task(coro)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_forwarder_between_libzmq_pub_and_sub(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    frontend, backend = ctx.socket(aiomq.XSUB), ctx.socket(aiomq.XPUB)
    capture, tap = ctx.socket(aiomq.PUSH), ctx.socket(aiomq.PULL)
    tap.bind("inproc://forwarder-capture")
    capture.connect("inproc://forwarder-capture")
    frontend.bind(TCP_ANY)
    backend.bind(TCP_ANY)
    pub, sub = libzmq.socket(zmq.PUB), libzmq.socket(zmq.SUB)
    pub.connect(frontend.last_endpoint.decode())
    sub.connect(backend.last_endpoint.decode())
    sub.setsockopt(zmq.SUBSCRIBE, b"weather")
    async with running(proxy(frontend, backend, capture)):
        # The subscription goes upstream through the proxy (the capture sees it) ...
        async with asyncio.timeout(DEADLINE):
            assert await tap.recv_multipart() == [b"\x01weather"]
        # ... and reaches the libzmq publisher once it is connected: probe until it does.
        async with asyncio.timeout(DEADLINE):
            while True:
                await pub.send(b"weather probe")
                if await sub.poll(20):
                    break
        for n in range(20):
            await pub.send_multipart([b"sports %d" % n, b"body"])
            await pub.send_multipart([b"weather %d" % n, b"body"])
        received: list[list[bytes]] = []
        async with asyncio.timeout(DEADLINE):
            while len(received) < 20:
                message = await sub.recv_multipart()
                if message != [b"weather probe"]:
                    received.append(message)
        assert received == [[b"weather %d" % n, b"body"] for n in range(20)]
        # Only matching messages went downstream: nothing else crossed the proxy.
        copies: list[list[bytes]] = []
        while await tap.poll(0):
            copies.append(await tap.recv_multipart())
        assert all(copy[0].startswith(b"weather") for copy in copies), copies[:3]
        assert copies[-20:] == received
        assert not await sub.poll(50)


async def test_queue_between_libzmq_clients_and_workers(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    clients, workers, per_client = 4, 2, 250
    frontend, backend = ctx.socket(aiomq.ROUTER), ctx.socket(aiomq.DEALER)
    frontend.bind(TCP_ANY)
    backend.bind(TCP_ANY)
    ready = EventRecorder(backend)
    reps = [libzmq.socket(zmq.REP) for _ in range(workers)]
    for rep in reps:
        rep.connect(backend.last_endpoint.decode())
    served = [0] * workers

    async def work(index: int, rep: zmq.asyncio.Socket) -> None:
        while True:
            request = await rep.recv_multipart()
            served[index] += 1
            await rep.send_multipart([*request, b"by worker %d" % index])

    async def ask(index: int) -> list[list[bytes]]:
        req = libzmq.socket(zmq.REQ)
        req.connect(frontend.last_endpoint.decode())
        replies = []
        for n in range(per_client):
            await req.send_multipart([b"client %d" % index, b"request %d" % n])
            replies.append(await req.recv_multipart())
        return replies

    async with running(proxy(frontend, backend)):
        await ready.wait_for(aiomq.Event.HANDSHAKE_SUCCEEDED, workers, timeout=DEADLINE)
        worker_tasks = [asyncio.create_task(work(i, rep)) for i, rep in enumerate(reps)]
        try:
            async with asyncio.timeout(25):
                results = await asyncio.gather(*(ask(i) for i in range(clients)))
        finally:
            for task in worker_tasks:
                task.cancel()
            await asyncio.gather(*worker_tasks, return_exceptions=True)
    for index, replies in enumerate(results):
        assert len(replies) == per_client
        for n, reply in enumerate(replies):
            assert reply[:2] == [b"client %d" % index, b"request %d" % n]
            assert reply[2] in {b"by worker %d" % w for w in range(workers)}
    assert sum(served) == clients * per_client
    assert all(count > 0 for count in served), served
