"""The perf roles with ``zmq.asyncio`` (pyzmq's asyncio integration; the baseline to beat).

Written the way its documentation shows: one ``await sock.send()`` / ``await sock.recv()`` per
message, receives copying below 64 KiB and zero-copy above, like the pyzmq backend. The
inproc:// roles run both ends as two tasks on one loop.
"""

from __future__ import annotations

import asyncio
import functools
import time

import zmq
import zmq.asyncio

from aiomq._bench import loops, pubsub
from aiomq._bench.backends import (
    AsyncBackend,
    BoundCallback,
    Hold,
    PubBoundCallback,
    check_size,
    wait_hold,
)
from aiomq._bench.impl_pyzmq import ZERO_COPY_FROM, last_endpoint

__all__ = ["ZmqAsyncioBackend", "create"]


class ZmqAsyncioBackend(AsyncBackend):
    """``zmq.asyncio``: libzmq sockets whose readiness is awaited on the asyncio loop."""

    impl = "zmq.asyncio"

    async def alocal_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> float:
        """Bind PULL, receive *count* messages and time all but the first."""
        ctx = zmq.asyncio.Context()
        sock = ctx.socket(zmq.PULL)
        try:
            sock.bind(endpoint)
            on_bound(last_endpoint(sock))
            copy = size < ZERO_COPY_FROM
            recv = sock.recv
            check_size(len(await recv(copy=copy)), size)
            start = time.perf_counter()
            for _ in range(count - 1):
                msg = await recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
            return time.perf_counter() - start
        finally:
            sock.close(linger=0)
            ctx.term()

    async def aremote_thr(
        self, endpoint: str, size: int, count: int, hold: Hold | None = None
    ) -> None:
        """Connect PUSH, send *count* messages, close and wait for delivery (linger -1)."""
        ctx = zmq.asyncio.Context()
        sock = ctx.socket(zmq.PUSH)
        try:
            sock.connect(endpoint)
            data = bytes(size)
            send = sock.send
            for _ in range(count):
                await send(data)
            await wait_hold(hold)
        finally:
            sock.close()
            ctx.term()

    async def alocal_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Bind REP and echo *count* requests."""
        ctx = zmq.asyncio.Context()
        sock = ctx.socket(zmq.REP)
        try:
            sock.bind(endpoint)
            on_bound(last_endpoint(sock))
            copy = size < ZERO_COPY_FROM
            recv = sock.recv
            send = sock.send
            for _ in range(count):
                msg = await recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
                await send(msg)
            await wait_hold(hold)
        finally:
            sock.close()
            ctx.term()

    async def aremote_lat(self, endpoint: str, size: int, count: int) -> float:
        """Connect REQ and time *count* round trips (connection set-up included, as libzmq)."""
        ctx = zmq.asyncio.Context()
        sock = ctx.socket(zmq.REQ)
        try:
            sock.connect(endpoint)
            copy = size < ZERO_COPY_FROM
            data = bytes(size)
            recv = sock.recv
            send = sock.send
            start = time.perf_counter()
            for _ in range(count):
                await send(data)
                msg = await recv(copy=copy)
                if len(msg) != size:
                    check_size(len(msg), size)
            return time.perf_counter() - start
        finally:
            sock.close(linger=0)
            ctx.term()

    async def ainproc_thr(self, size: int, count: int) -> float:
        """PUSH task → PULL over inproc://thr_test; time all but the first message."""
        ctx = zmq.asyncio.Context()
        pull = ctx.socket(zmq.PULL)
        push = ctx.socket(zmq.PUSH)
        try:
            pull.bind("inproc://thr_test")

            async def worker() -> None:
                push.connect("inproc://thr_test")
                data = bytes(size)
                send = push.send
                for _ in range(count):
                    await send(data)

            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(worker())
                copy = size < ZERO_COPY_FROM
                recv = pull.recv
                check_size(len(await recv(copy=copy)), size)
                start = time.perf_counter()
                for _ in range(count - 1):
                    msg = await recv(copy=copy)
                    if len(msg) != size:
                        check_size(len(msg), size)
                elapsed = time.perf_counter() - start
            return elapsed
        finally:
            push.close(linger=0)
            pull.close(linger=0)
            ctx.term()

    async def ainproc_lat(self, size: int, count: int) -> float:
        """REQ (binds inproc://lat_test) ⇄ REP task; time *count* round trips."""
        ctx = zmq.asyncio.Context()
        req = ctx.socket(zmq.REQ)
        rep = ctx.socket(zmq.REP)
        copy = size < ZERO_COPY_FROM
        try:
            req.bind("inproc://lat_test")

            async def worker() -> None:
                rep.connect("inproc://lat_test")
                recv = rep.recv
                send = rep.send
                for _ in range(count):
                    await send(await recv(copy=copy))

            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(worker())
                data = bytes(size)
                recv = req.recv
                send = req.send
                start = time.perf_counter()
                for _ in range(count):
                    await send(data)
                    msg = await recv(copy=copy)
                    if len(msg) != size:
                        check_size(len(msg), size)
                elapsed = time.perf_counter() - start
            return elapsed
        finally:
            rep.close(linger=0)
            req.close(linger=0)
            ctx.term()

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
        ctx = zmq.asyncio.Context()
        pub = ctx.socket(zmq.PUB)
        sync = ctx.socket(zmq.PULL)
        try:
            pub.setsockopt(zmq.SNDHWM, 0)
            pub.bind(endpoint)
            sync.bind(sync_endpoint)
            on_bound(last_endpoint(pub), last_endpoint(sync))
            await pubsub.publish(pub.send, sync.recv, size, count, subscribers)
        finally:
            pub.close(linger=0)
            sync.close(linger=0)
            ctx.term()

    async def asub_thr(
        self, endpoint: str, sync_endpoint: str, size: int, count: int
    ) -> tuple[int, float]:
        """Connect SUB and a sync PUSH; receive and time the published messages."""
        ctx = zmq.asyncio.Context()
        sub = ctx.socket(zmq.SUB)
        sync = ctx.socket(zmq.PUSH)
        recv = functools.partial(sub.recv, copy=size < ZERO_COPY_FROM)
        try:
            sub.setsockopt(zmq.RCVHWM, 0)
            sub.setsockopt(zmq.SUBSCRIBE, b"")
            sub.connect(endpoint)
            sync.connect(sync_endpoint)
            return await pubsub.subscribe(recv, sync.send, size, count)
        finally:
            sub.close(linger=0)
            sync.close()
            ctx.term()


def create(loop: loops.LoopName) -> ZmqAsyncioBackend:
    """Return the zmq.asyncio backend running on *loop*."""
    return ZmqAsyncioBackend(loop)
