"""The perf roles with ``asyncio-raw``: framed messages over bare asyncio transports.

Not ZeroMQ: no greeting, handshake, socket, pipe or routing (see
``raw_protocol``). The same loops as the other backends — one
``await send()`` / ``await recv()`` per message — on the best connection pure Python can write,
so its figures are the ceiling aiomq can approach on the same event loop. tcp:// and ipc://
only: there is nothing to measure in-process, and PUB/SUB is not modelled.
"""

from __future__ import annotations

import time

from aiomq._bench import loops
from aiomq._bench.backends import AsyncBackend, BoundCallback, Hold, check_size, wait_hold
from aiomq._bench.raw_protocol import connect, listen

__all__ = ["RawBackend", "create"]


class RawBackend(AsyncBackend):
    """asyncio-raw: the ceiling of a pure-Python messaging library on this loop."""

    impl = "asyncio-raw"

    async def alocal_thr(
        self, endpoint: str, size: int, count: int, on_bound: BoundCallback
    ) -> float:
        """Listen, accept one sender, receive *count* messages and time all but the first."""
        listener = await listen(endpoint)
        try:
            on_bound(listener.endpoint)
            conn = await listener.accept()
            try:
                recv = conn.recv
                check_size(len(await recv()), size)
                start = time.perf_counter()
                for _ in range(count - 1):
                    msg = await recv()
                    if len(msg) != size:
                        check_size(len(msg), size)
                return time.perf_counter() - start
            finally:
                await conn.aclose()
        finally:
            await listener.aclose()

    async def aremote_thr(
        self, endpoint: str, size: int, count: int, hold: Hold | None = None
    ) -> None:
        """Connect, send *count* messages, then close once everything is written."""
        conn = await connect(endpoint)
        try:
            data = bytes(size)
            send = conn.send
            for _ in range(count):
                await send(data)
            await wait_hold(hold)
        finally:
            await conn.aclose()

    async def alocal_lat(
        self,
        endpoint: str,
        size: int,
        count: int,
        on_bound: BoundCallback,
        hold: Hold | None = None,
    ) -> None:
        """Listen, accept one requester and echo *count* messages."""
        listener = await listen(endpoint)
        try:
            on_bound(listener.endpoint)
            conn = await listener.accept()
            try:
                recv = conn.recv
                send = conn.send
                for _ in range(count):
                    msg = await recv()
                    if len(msg) != size:
                        check_size(len(msg), size)
                    await send(msg)
                await wait_hold(hold)
            finally:
                await conn.aclose()
        finally:
            await listener.aclose()

    async def aremote_lat(self, endpoint: str, size: int, count: int) -> float:
        """Connect and time *count* round trips (connection set-up included, as libzmq)."""
        start = time.perf_counter()
        conn = await connect(endpoint)
        try:
            data = bytes(size)
            recv = conn.recv
            send = conn.send
            for _ in range(count):
                await send(data)
                msg = await recv()
                if len(msg) != size:
                    check_size(len(msg), size)
            return time.perf_counter() - start
        finally:
            await conn.aclose()


def create(loop: loops.LoopName) -> RawBackend:
    """Return the asyncio-raw backend running on *loop*."""
    return RawBackend(loop)
