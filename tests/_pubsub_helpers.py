"""Helpers for publish-subscribe tests: waiting until a subscription has propagated.

A subscription travels to the publisher asynchronously; until it arrives the publisher
drops what it sends. Rather than sleeping, :func:`until_subscribed` publishes markers
until the subscriber sees one, so every later message of the stream is certain to pass.
They work with aiomq sockets and with ``zmq.asyncio`` sockets alike (:func:`drain_now`,
with aiomq sockets only).
"""

from __future__ import annotations

import asyncio

from _helpers import MultipartSocket  # type: ignore[import-not-found, unused-ignore]

import aiomq

__all__ = ["drain_now", "recv_all_until", "until_subscribed"]

PROBE_EVERY = 0.02
"""Seconds between two markers while the subscription has not arrived yet."""


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


async def drain_now(sock: aiomq.Socket) -> list[list[bytes]]:
    """Everything ``sock`` holds right now (over inproc: all that was sent to it)."""
    out: list[list[bytes]] = []
    while True:
        try:
            out.append(await sock.recv_multipart(aiomq.DONTWAIT))
        except aiomq.Again:
            return out
