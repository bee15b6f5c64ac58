"""Helpers for the request-reply tests (tests/test_reqrep.py and the RFC 28 spec tests):
fresh endpoints per transport, receiving on whichever socket gets a message first, and
the set-ups several tests share."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Sequence

import pytest
from _helpers import EventRecorder  # type: ignore[import-not-found, unused-ignore]

import aiomq

__all__ = ["TRANSPORTS", "bind", "connect_slow_dealer", "recv_any", "wait_unless_inproc"]

TRANSPORTS = [
    "inproc",
    "tcp",
    pytest.param(
        "ipc", marks=pytest.mark.skipif(sys.platform == "win32", reason="ipc:// needs Unix")
    ),
]
"""Every transport, to parametrize a ``transport`` argument or fixture with."""

_names = itertools.count()


def bind(sock: aiomq.Socket, transport: str) -> str:
    """Bind ``sock`` to a fresh endpoint of ``transport``; return where to connect."""
    url = {
        "inproc": f"inproc://reqrep-{next(_names)}",
        "tcp": "tcp://127.0.0.1:*",
        "ipc": "ipc://*",
    }[transport]
    sock.bind(url)
    return sock.last_endpoint.decode()


async def recv_any(socks: Sequence[aiomq.Socket]) -> tuple[int, list[bytes]]:
    """Receive on whichever of ``socks`` gets a message first (the others consume nothing)."""
    tasks = [asyncio.ensure_future(sock.recv_multipart()) for sock in socks]
    async with asyncio.timeout(5):
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    assert len(done) == 1
    [task] = done
    return tasks.index(task), task.result()


async def wait_unless_inproc(
    recorder: EventRecorder, transport: str, event: aiomq.Event, count: int = 1
) -> None:
    """Wait until ``event`` happened ``count`` times in all; over inproc peers link and
    unlink at once, without monitor events, so there is nothing to wait for."""
    if transport != "inproc":
        await recorder.wait_for(event, count)


def connect_slow_dealer(
    ctx: aiomq.Context, sock: aiomq.Socket, routing_id: bytes | None = None
) -> aiomq.Socket:
    """Give ``sock`` SNDHWM 1 and connect a new DEALER with RCVHWM 1 (and ``routing_id``)
    to it over inproc: the queue from ``sock`` to it holds two messages (SNDHWM + RCVHWM,
    as in libzmq)."""
    sock.setsockopt(aiomq.SNDHWM, 1)
    dealer = ctx.socket(aiomq.DEALER)
    if routing_id is not None:
        dealer.setsockopt(aiomq.ROUTING_ID, routing_id)
    dealer.setsockopt(aiomq.RCVHWM, 1)
    dealer.connect(bind(sock, "inproc"))
    return dealer
