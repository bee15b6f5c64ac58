"""The perf roles with ``zmq.asyncio`` (pyzmq's asyncio integration; the baseline to beat).

Written the way its documentation shows: one ``await sock.send()`` / ``await sock.recv()`` per
message, receives copying below 64 KiB and zero-copy above, like the pyzmq backend.
"""

from __future__ import annotations

import time

import zmq
import zmq.asyncio

from aiomq._bench import loops
from aiomq._bench.backends import AsyncBackend, BoundCallback, Hold, check_size, wait_hold
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


def create(loop: loops.LoopName) -> ZmqAsyncioBackend:
    """Return the zmq.asyncio backend running on *loop*."""
    return ZmqAsyncioBackend(loop)
