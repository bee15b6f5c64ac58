"""The perf roles with aiomq itself.

One ``await sock.send()`` / ``await sock.recv()`` per message, exactly like the zmq.asyncio
backend, so the two measure the libraries and not the benchmark code. The sender closes with
``await sock.aclose()``, which flushes queued messages like libzmq's linger. The inproc://
roles run both ends as two tasks on one loop (libzmq's ``inproc_thr``/``inproc_lat`` use a
second thread).
"""

from __future__ import annotations

import asyncio
import time

import aiomq
from aiomq._bench import loops, pubsub
from aiomq._bench.backends import (
    AsyncBackend,
    BoundCallback,
    Hold,
    PubBoundCallback,
    check_size,
    wait_hold,
)
from aiomq._bench.errors import BenchError

__all__ = ["AiomqBackend", "create"]


class AiomqBackend(AsyncBackend):
    """aiomq: ZMTP implemented in Python on the asyncio loop."""

    impl = "aiomq"

    async def alocal_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> float:
        """Bind PULL, receive *count* messages and time all but the first."""
        ctx = aiomq.Context()
        sock = ctx.socket(aiomq.PULL)
        try:
            sock.bind(endpoint)
            on_bound(sock.last_endpoint.decode())
            recv = sock.recv
            check_size(len(await recv()), size)
            start = time.perf_counter()
            for _ in range(count - 1):
                msg = await recv()
                if len(msg) != size:
                    check_size(len(msg), size)
            return time.perf_counter() - start
        finally:
            sock.linger = 0
            await sock.aclose()
            await ctx.term()

    async def aremote_thr(
        self, endpoint: str, size: int, count: int, hold: Hold | None = None
    ) -> None:
        """Connect PUSH, send *count* messages, then close, flushing them (linger -1)."""
        ctx = aiomq.Context()
        sock = ctx.socket(aiomq.PUSH)
        try:
            sock.connect(endpoint)
            data = bytes(size)
            send = sock.send
            for _ in range(count):
                await send(data)
            await wait_hold(hold)
        finally:
            await sock.aclose()
            await ctx.term()

    async def alocal_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Bind REP and echo *count* requests."""
        ctx = aiomq.Context()
        sock = ctx.socket(aiomq.REP)
        try:
            sock.bind(endpoint)
            on_bound(sock.last_endpoint.decode())
            recv = sock.recv
            send = sock.send
            for _ in range(count):
                msg = await recv()
                if len(msg) != size:
                    check_size(len(msg), size)
                await send(msg)
            await wait_hold(hold)
        finally:
            await sock.aclose()
            await ctx.term()

    async def aremote_lat(self, endpoint: str, size: int, count: int) -> float:
        """Connect REQ and time *count* round trips (connection set-up included, as libzmq)."""
        ctx = aiomq.Context()
        sock = ctx.socket(aiomq.REQ)
        try:
            sock.connect(endpoint)
            data = bytes(size)
            recv = sock.recv
            send = sock.send
            start = time.perf_counter()
            for _ in range(count):
                await send(data)
                msg = await recv()
                if len(msg) != size:
                    check_size(len(msg), size)
            return time.perf_counter() - start
        finally:
            sock.linger = 0
            await sock.aclose()
            await ctx.term()

    async def ainproc_thr(self, size: int, count: int) -> float:
        """PUSH task → PULL over inproc://thr_test; time all but the first message."""
        async with aiomq.Context() as ctx:
            pull = ctx.socket(aiomq.PULL)
            pull.bind("inproc://thr_test")
            push = ctx.socket(aiomq.PUSH)

            async def worker() -> None:
                push.connect("inproc://thr_test")
                data = bytes(size)
                send = push.send
                for _ in range(count):
                    await send(data)

            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(worker())
                    recv = pull.recv
                    check_size(len(await recv()), size)
                    start = time.perf_counter()
                    for _ in range(count - 1):
                        msg = await recv()
                        if len(msg) != size:
                            check_size(len(msg), size)
                    elapsed = time.perf_counter() - start
            finally:
                await push.aclose(linger=0)
                await pull.aclose(linger=0)
            return elapsed

    async def ainproc_lat(self, size: int, count: int) -> float:
        """REQ (binds inproc://lat_test) ⇄ REP task; time *count* round trips."""
        async with aiomq.Context() as ctx:
            req = ctx.socket(aiomq.REQ)
            req.bind("inproc://lat_test")
            rep = ctx.socket(aiomq.REP)

            async def worker() -> None:
                rep.connect("inproc://lat_test")
                recv = rep.recv
                send = rep.send
                for _ in range(count):
                    await send(await recv())

            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(worker())
                    data = bytes(size)
                    recv = req.recv
                    send = req.send
                    start = time.perf_counter()
                    for _ in range(count):
                        await send(data)
                        msg = await recv()
                        if len(msg) != size:
                            check_size(len(msg), size)
                    elapsed = time.perf_counter() - start
            finally:
                await rep.aclose(linger=0)
                await req.aclose(linger=0)
            return elapsed

    async def apub_thr(
        self,
        endpoint: str,
        sync_endpoint: str,
        size: int,
        count: int,
        subscribers: int,
        on_bound: PubBoundCallback,
    ) -> None:
        """Bind PUB and a sync PULL, sync with *subscribers*, publish *count* messages."""
        async with aiomq.Context() as ctx:
            pub = ctx.socket(aiomq.PUB)
            sync = ctx.socket(aiomq.PULL)
            try:
                pub.sndhwm = 0
                pub.bind(endpoint)
                sync.bind(sync_endpoint)
                on_bound(pub.last_endpoint.decode(), sync.last_endpoint.decode())
                await pubsub.publish(pub.send, sync.recv, size, count, subscribers)
            finally:
                await pub.aclose(linger=0)
                await sync.aclose(linger=0)

    async def asub_thr(
        self, endpoint: str, sync_endpoint: str, size: int, count: int
    ) -> tuple[int, float]:
        """Connect SUB and a sync PUSH; receive and time the published messages."""
        async with aiomq.Context() as ctx:
            sub = ctx.socket(aiomq.SUB)
            sync = ctx.socket(aiomq.PUSH)
            try:
                sub.rcvhwm = 0
                sub.subscribe(b"")
                sub.connect(endpoint)
                sync.connect(sync_endpoint)
                return await pubsub.subscribe(sub.recv, sync.send, size, count)
            finally:
                await sub.aclose(linger=0)
                await sync.aclose()


def create(loop: loops.LoopName) -> AiomqBackend:
    """Return the aiomq backend running on *loop*.

    Raises:
        BenchError: aiomq's core (``aiomq.Context``) is not available in this build.
    """
    if not hasattr(aiomq, "Context"):
        raise BenchError("this build of aiomq has no Context yet; use --impl pyzmq or zmq.asyncio")
    return AiomqBackend(loop)
