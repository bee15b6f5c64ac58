"""Helpers for publish-subscribe tests: waiting until a subscription has propagated.

A subscription travels to the publisher asynchronously; until it arrives the publisher
drops what it sends. Rather than sleeping, :func:`until_subscribed` publishes markers
until the subscriber sees one, so every later message of the stream is certain to pass.
They work with aiomq sockets and with ``zmq.asyncio`` sockets alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any, Protocol

__all__ = ["MultipartSocket", "recv_all_until", "until_subscribed"]

PROBE_EVERY = 0.02
"""Seconds between two markers while the subscription has not arrived yet."""


class MultipartSocket(Protocol):
    """What both an aiomq socket and a ``zmq.asyncio`` socket offer."""

    def send_multipart(self, msg_parts: Sequence[bytes], flags: int = 0) -> Awaitable[Any]: ...

    def recv_multipart(self, flags: int = 0) -> Awaitable[list[bytes]]: ...


async def until_subscribed(
    pub: MultipartSocket, sub: MultipartSocket, marker: bytes, within: float = 10.0
) -> None:
    """Publish ``marker + b"?"`` until ``sub`` receives something, then ``marker + b"!"``.

    Returns once ``sub`` received ``marker + b"!"``, having swallowed the markers before
    it. ``sub`` must subscribe to a prefix of ``marker`` and receive nothing else meanwhile.

    Raises:
        TimeoutError: The subscription did not arrive within ``within`` seconds.
    """
    async with asyncio.timeout(within):
        while True:
            await pub.send_multipart([marker + b"?"])
            try:
                async with asyncio.timeout(PROBE_EVERY):
                    first = await sub.recv_multipart()
            except TimeoutError:
                continue
            assert first == [marker + b"?"], first
            break
        await pub.send_multipart([marker + b"!"])
        while (message := await sub.recv_multipart()) != [marker + b"!"]:
            assert message == [marker + b"?"], message


async def recv_all_until(
    sub: MultipartSocket, last: list[bytes], within: float = 10.0
) -> list[list[bytes]]:
    """Receive messages up to and including ``last``.

    Raises:
        TimeoutError: ``last`` did not arrive within ``within`` seconds.
    """
    received: list[list[bytes]] = []
    async with asyncio.timeout(within):
        while True:
            message = await sub.recv_multipart()
            received.append(message)
            if message == last:
                return received
