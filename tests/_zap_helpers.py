"""An application's own ZAP handler, as libzmq applications write it: a REP (or ROUTER)
socket bound on ``inproc://zeromq.zap.01`` that answers RFC 27 requests.

Used by tests/test_zap_handler.py (aiomq clients) and tests/interop/test_libzmq_zap.py
(libzmq clients).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection

import aiomq

__all__ = [
    "ZAP_ENDPOINT",
    "Decide",
    "ZapHandlerSocket",
    "accept_curve_keys",
    "accept_plain",
    "reply",
]

ZAP_ENDPOINT = "inproc://zeromq.zap.01"

Decide = Callable[[list[bytes]], list[bytes] | None]
"""Turns a request's frames into the reply's (None: never answer)."""


def reply(
    request: list[bytes], status: bytes, user_id: bytes = b"", metadata: bytes = b""
) -> list[bytes]:
    """The six reply frames for ``request``: version and request id echoed."""
    return [request[0], request[1], status, b"OK" if status == b"200" else b"NO", user_id, metadata]


def accept_plain(passwords: dict[bytes, bytes]) -> Callable[[list[bytes]], list[bytes]]:
    """Accept PLAIN users with these passwords (User-Id: the user name); refuse others."""

    def decide(request: list[bytes]) -> list[bytes]:
        mechanism, credentials = request[5], request[6:]
        if mechanism == b"PLAIN" and passwords.get(credentials[0]) == credentials[1]:
            return reply(request, b"200", credentials[0])
        return reply(request, b"400")

    return decide


def accept_curve_keys(keys: Collection[bytes]) -> Callable[[list[bytes]], list[bytes]]:
    """Accept CURVE clients with these raw public keys (User-Id ``friend``)."""

    def decide(request: list[bytes]) -> list[bytes]:
        if request[5] == b"CURVE" and request[6] in keys:
            return reply(request, b"200", b"friend")
        return reply(request, b"400")

    return decide


class ZapHandlerSocket:
    """A REP (or ROUTER) socket on ``inproc://zeromq.zap.01`` answering with ``decide``.

    One task runs the request/reply loop, as an application would; :attr:`requests`
    records every request's frames (without the envelope), in order.
    """

    def __init__(self, ctx: aiomq.Context, decide: Decide, kind: int = aiomq.REP) -> None:
        self.requests: list[list[bytes]] = []
        self.socket = ctx.socket(kind)
        self.socket.setsockopt(aiomq.LINGER, 0)
        self.events: list[aiomq.Event] = []
        """The socket's monitor events: ACCEPTED and DISCONNECTED for each inproc peer."""
        self._changed = asyncio.Event()
        self.socket.add_monitor_listener(self._record)
        self.socket.bind(ZAP_ENDPOINT)
        self._decide = decide
        self._router = kind == aiomq.ROUTER
        self._task = asyncio.get_running_loop().create_task(self._serve())

    async def _serve(self) -> None:
        while True:
            frames = await self.socket.recv_multipart()
            envelope: list[bytes] = []
            if self._router:  # routing id, then the empty delimiter
                envelope, frames = frames[:2], frames[2:]
            self.requests.append(frames)
            self._changed.set()
            answer = self._decide(frames)
            while answer is None:  # stuck, as an application that never decides
                await asyncio.get_running_loop().create_future()
            await self.socket.send_multipart([*envelope, *answer])

    def _record(self, event: aiomq.Event, endpoint: str, value: int | str) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_requests(self, count: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` requests arrived in all."""
        await self._wait(lambda: len(self.requests) >= count, timeout)

    async def wait_event(self, event: aiomq.Event, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the socket reported ``event`` ``count`` times in all."""
        await self._wait(lambda: self.events.count(event) >= count, timeout)

    async def _wait(self, done: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not done():
                self._changed.clear()
                await self._changed.wait()

    async def close(self) -> None:
        """Stop answering and close the socket (unbinding the name)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.socket.close(linger=0)
