"""PLAIN (RFC 24) and ZAP (RFC 27) between aiomq and libzmq.

aiomq as the PLAIN server authenticates with its own :class:`aiomq.auth.Authenticator`;
aiomq as the PLAIN client faces a libzmq server whose ZAP handler is pyzmq's
``AsyncioAuthenticator``. Wrong passwords are refused, right ones pass, a PLAIN server
without a ZAP handler refuses everyone, and ``User-Id`` travels to received messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import zmq
import zmq.asyncio
from _helpers import EventRecorder  # type: ignore[import-not-found, unused-ignore]
from zmq.auth.asyncio import AsyncioAuthenticator

import aiomq
from aiomq.auth import Authenticator

from .libzmq_helpers import DEADLINE, TCP_ANY, Libzmq, LibzmqMonitor

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

PASSWORDS = {"admin": "secret"}


@pytest.fixture
async def zmq_auth(libzmq: Libzmq) -> AsyncIterator[AsyncioAuthenticator]:
    """pyzmq's ZAP handler in the libzmq context, with the PLAIN passwords set."""
    auth = AsyncioAuthenticator(libzmq.context)
    auth.start()
    auth.configure_plain(domain="*", passwords=PASSWORDS)
    try:
        yield auth
    finally:
        auth.stop()


def _libzmq_client(libzmq: Libzmq, password: bytes) -> zmq.asyncio.Socket:
    sock = libzmq.socket(zmq.PUSH)
    sock.setsockopt(zmq.PLAIN_USERNAME, b"admin")
    sock.setsockopt(zmq.PLAIN_PASSWORD, password)
    return sock


def _aiomq_client(ctx: aiomq.Context, password: bytes) -> aiomq.Socket:
    sock = ctx.socket(aiomq.PUSH)
    sock.plain_username = b"admin"
    sock.plain_password = password
    return sock


async def _refused(monitor: LibzmqMonitor) -> None:
    """The libzmq client saw its handshake refused.

    libzmq 4.3.5 encodes its own ZAP-denial ERROR wrongly over ZMTP 3.1 and, in
    step, fails to parse a well-formed one: it reports our ``ERROR "400"`` as
    HANDSHAKE_FAILED_PROTOCOL (``ZMTP_UNEXPECTED_COMMAND``) instead of
    HANDSHAKE_FAILED_AUTH. Either way it never completes the handshake.
    """
    await monitor.wait_for(zmq.EVENT_DISCONNECTED)
    failed = zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.EVENT_HANDSHAKE_FAILED_AUTH
    assert sum(monitor.count(event) for event in failed) >= 1, monitor.names()
    assert monitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 0


# -- aiomq is the PLAIN server -----------------------------------------------------------


async def test_aiomq_server_accepts_right_password(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords=PASSWORDS)
        server = ctx.socket(aiomq.PULL)
        server.plain_server = 1
        server.bind(TCP_ANY)
        client = _libzmq_client(libzmq, b"secret")
        client.connect(server.last_endpoint.decode())
        await client.send_multipart([b"hello", b"world"])
        async with asyncio.timeout(DEADLINE):
            msg = await server.recv_message()
    assert msg.frames == [b"hello", b"world"]
    assert msg.get("User-Id") == "admin"
    assert msg.get("Socket-Type") == "PUSH"


async def test_aiomq_server_refuses_wrong_password(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords=PASSWORDS)
        server = ctx.socket(aiomq.PULL)
        server.plain_server = 1
        server.bind(TCP_ANY)
        events = EventRecorder(server)
        client = _libzmq_client(libzmq, b"wrong")
        monitor = libzmq.monitor(client)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await _refused(monitor)
        assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_aiomq_server_without_handler_refuses(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    server = ctx.socket(aiomq.PULL)
    server.plain_server = 1
    server.bind(TCP_ANY)
    events = EventRecorder(server)
    client = _libzmq_client(libzmq, b"secret")
    client.connect(server.last_endpoint.decode())
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


@pytest.mark.parametrize("policy", ["deny", "allow-other"])
async def test_aiomq_server_address_policy(ctx: aiomq.Context, libzmq: Libzmq, policy: str) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords=PASSWORDS)
        if policy == "deny":
            auth.deny("127.0.0.1")
        else:
            auth.allow("192.0.2.1")
        server = ctx.socket(aiomq.PULL)
        server.plain_server = 1
        server.bind(TCP_ANY)
        events = EventRecorder(server)
        client = _libzmq_client(libzmq, b"secret")
        monitor = libzmq.monitor(client)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await _refused(monitor)


# -- aiomq is the PLAIN client -----------------------------------------------------------


async def test_aiomq_client_right_password(
    ctx: aiomq.Context, libzmq: Libzmq, zmq_auth: AsyncioAuthenticator
) -> None:
    server = libzmq.socket(zmq.PULL, PLAIN_SERVER=1)
    endpoint = libzmq.bind(server, TCP_ANY)
    client = _aiomq_client(ctx, b"secret")
    client.connect(endpoint)
    await client.send(b"hi")
    async with asyncio.timeout(DEADLINE):
        frame = await server.recv(copy=False)
    assert frame.bytes == b"hi"
    assert frame.get("User-Id") == "admin"


async def test_aiomq_client_wrong_password(
    ctx: aiomq.Context, libzmq: Libzmq, zmq_auth: AsyncioAuthenticator
) -> None:
    server = libzmq.socket(zmq.PULL, PLAIN_SERVER=1)
    endpoint = libzmq.bind(server, TCP_ANY)
    monitor = libzmq.monitor(server)
    client = _aiomq_client(ctx, b"wrong")
    events = EventRecorder(client)
    client.connect(endpoint)
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
    await monitor.wait_for(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_aiomq_client_libzmq_server_without_handler(
    ctx: aiomq.Context, libzmq: Libzmq
) -> None:
    server = libzmq.socket(zmq.PULL, PLAIN_SERVER=1)
    endpoint = libzmq.bind(server, TCP_ANY)
    client = _aiomq_client(ctx, b"secret")
    events = EventRecorder(client)
    client.connect(endpoint)
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
