"""The perf roles with aiomq itself.

One ``await sock.send()`` / ``await sock.recv()`` per message, exactly like the zmq.asyncio
backend, so the two measure the libraries and not the benchmark code. The sender closes with
``await sock.aclose()``, which flushes queued messages like libzmq's linger.
"""

from __future__ import annotations

import time

import aiomq
from aiomq._bench import loops
from aiomq._bench.backends import AsyncBackend, BoundCallback, Hold, check_size, wait_hold
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
            on_bound(sock.last_endpoint)
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
            on_bound(sock.last_endpoint)
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


def create(loop: loops.LoopName) -> AiomqBackend:
    """Return the aiomq backend running on *loop*.

    Raises:
        BenchError: aiomq's core (``aiomq.Context``) is not available in this build.
    """
    if not hasattr(aiomq, "Context"):
        raise BenchError("this build of aiomq has no Context yet; use --impl pyzmq or zmq.asyncio")
    return AiomqBackend(loop)
