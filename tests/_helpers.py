"""Test helpers shared by every test folder: monitor events, receiving with a deadline,
asserting that nothing more is waiting, and free endpoints."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Sequence
from typing import Any, Protocol

import aiomq

__all__ = [
    "EventRecorder",
    "MultipartSocket",
    "assert_empty",
    "recv_within",
    "summary",
    "unused_tcp_endpoint",
]


class MultipartSocket(Protocol):
    """What both an aiomq socket and a ``zmq.asyncio`` socket offer."""

    def send_multipart(self, msg_parts: Sequence[bytes], flags: int = 0) -> Awaitable[Any]: ...

    def recv_multipart(self, flags: int = 0) -> Awaitable[list[bytes]]: ...


class EventRecorder:
    """Records a socket's monitor events and waits for them with a deadline."""

    def __init__(self, sock: aiomq.Socket) -> None:
        self.events: list[tuple[aiomq.Event, str]] = []
        self._changed = asyncio.Event()
        sock.add_monitor_listener(self._record)

    def _record(self, event: aiomq.Event, endpoint: str, value: int | str) -> None:
        self.events.append((event, endpoint))
        self._changed.set()

    def count(self, event: aiomq.Event) -> int:
        """How many times ``event`` happened so far."""
        return sum(1 for seen, _ in self.events if seen == event)

    async def wait_for(self, event: aiomq.Event, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``event`` happened ``count`` times in all."""
        async with asyncio.timeout(timeout):
            while self.count(event) < count:
                self._changed.clear()
                await self._changed.wait()


async def recv_within(sock: MultipartSocket, seconds: float = 5.0) -> list[bytes]:
    """The next message on ``sock``, failing after ``seconds``."""
    async with asyncio.timeout(seconds):
        return list(await sock.recv_multipart())


async def assert_empty(sock: aiomq.Socket) -> None:
    """Nothing more is waiting on an aiomq socket (a receive would raise ``Again``)."""
    try:
        extra = await sock.recv_multipart(aiomq.DONTWAIT)
    except aiomq.Again:
        return
    raise AssertionError(f"unexpected extra message: {summary(extra)}")


def summary(message: list[bytes]) -> list[str]:
    """A message's frames, short enough for an assertion message."""
    return [f"{len(part)}B:{part[:16]!r}" for part in message]


def unused_tcp_endpoint() -> str:
    """A loopback tcp:// endpoint where nothing listens (a port the kernel just handed
    out and released), for a peer that must connect before anyone binds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
