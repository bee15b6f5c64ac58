"""ZAP (RFC 27) with libzmq clients: aiomq servers asking an application's handler socket,
and a pyzmq program's security code run on aiomq.

The handler is a REP socket on ``inproc://zeromq.zap.01`` in the aiomq server's Context,
written as libzmq applications write it (tests/_zap_helpers.py). The clients are libzmq
(pyzmq) sockets: right credentials deliver their messages with the handler's User-Id,
wrong ones are refused, and the other clients keep working.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import zmq
import zmq.asyncio
import zmq.auth
from _helpers import EventRecorder  # type: ignore[import-not-found, unused-ignore]
from _zap_helpers import (  # type: ignore[import-not-found, unused-ignore]
    ZapHandlerSocket,
    accept_curve_keys,
    accept_plain,
    reply,
)

import aiomq
import aiomq.auth
from aiomq.auth.asyncio import AsyncioAuthenticator

from .libzmq_helpers import DEADLINE, TCP_ANY, Libzmq, LibzmqMonitor, assert_empty, recv_n

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

PASSWORDS = {b"admin": b"secret", b"guest": b"guest"}


@pytest.fixture
async def handler_socket(ctx: aiomq.Context) -> AsyncIterator[list[ZapHandlerSocket]]:
    """Closes the handler sockets a test made (append them to the list)."""
    handlers: list[ZapHandlerSocket] = []
    try:
        yield handlers
    finally:
        for handler in handlers:
            await handler.close()


async def _refused(monitor: LibzmqMonitor) -> None:
    """The libzmq client's handshake failed and it never completed one.

    libzmq 4.3.5 misreads a well-formed ERROR over ZMTP 3.1 (see
    tests/interop/test_libzmq_plain.py): a refusal shows as HANDSHAKE_FAILED_PROTOCOL or
    HANDSHAKE_FAILED_AUTH, a close without ERROR as HANDSHAKE_FAILED_NO_DETAIL.
    """
    await monitor.wait_for(zmq.EVENT_DISCONNECTED)
    failed = (
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
        zmq.EVENT_HANDSHAKE_FAILED_AUTH,
        zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    )
    assert sum(monitor.count(event) for event in failed) >= 1, monitor.names()
    assert monitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 0


def _plain_client(libzmq: Libzmq, username: bytes, password: bytes) -> zmq.asyncio.Socket:
    sock = libzmq.socket(zmq.PUSH)
    sock.plain_username = username
    sock.plain_password = password
    return sock


def _plain_server(ctx: aiomq.Context) -> aiomq.Socket:
    server = ctx.socket(aiomq.PULL)
    server.setsockopt(aiomq.LINGER, 0)
    server.plain_server = 1
    server.bind(TCP_ANY)
    return server


async def _recv_message(server: aiomq.Socket) -> aiomq.Message:
    async with asyncio.timeout(DEADLINE):
        return await server.recv_message()


@pytest.mark.parametrize(
    ("username", "password", "accepted"),
    [(b"admin", b"secret", True), (b"admin", b"wrong", False)],
    ids=["right", "wrong"],
)
async def test_plain_libzmq_clients(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    handler_socket: list[ZapHandlerSocket],
    username: bytes,
    password: bytes,
    accepted: bool,
) -> None:
    handler = ZapHandlerSocket(ctx, accept_plain(PASSWORDS))
    handler_socket.append(handler)
    server = _plain_server(ctx)
    events = EventRecorder(server)
    client = _plain_client(libzmq, username, password)
    monitor = libzmq.monitor(client)
    client.connect(server.last_endpoint.decode())
    await client.send_multipart([b"first", b"client"])
    if accepted:
        msg = await _recv_message(server)
        assert (msg.frames, msg.get("User-Id")) == ([b"first", b"client"], "admin")
    else:
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await _refused(monitor)
    other = _plain_client(libzmq, b"guest", b"guest")
    other.connect(server.last_endpoint.decode())
    await other.send_multipart([b"other"])
    msg = await _recv_message(server)
    assert (msg.frames, msg.get("User-Id")) == ([b"other"], "guest")
    client.close(linger=0)
    await assert_empty(server)
    assert handler.requests[0][2:8] == [b"", b"127.0.0.1", b"", b"PLAIN", username, password]


@pytest.mark.parametrize("accepted", [True, False], ids=["known", "stranger"])
async def test_curve_libzmq_clients(
    ctx: aiomq.Context, libzmq: Libzmq, handler_socket: list[ZapHandlerSocket], accepted: bool
) -> None:
    server_public, server_secret = zmq.curve_keypair()
    known_public, known_secret = zmq.curve_keypair()
    handler = ZapHandlerSocket(ctx, accept_curve_keys({aiomq.z85.decode(known_public)}))
    handler_socket.append(handler)
    server = ctx.socket(aiomq.PULL)
    server.setsockopt(aiomq.LINGER, 0)
    server.curve_server = 1
    server.curve_secretkey = server_secret
    server.bind(TCP_ANY)
    events = EventRecorder(server)

    def client(public: bytes, secret: bytes) -> zmq.asyncio.Socket:
        sock = libzmq.socket(zmq.PUSH)
        sock.curve_serverkey = server_public
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        return sock

    first = client(known_public, known_secret) if accepted else client(*zmq.curve_keypair())
    monitor = libzmq.monitor(first)
    first.connect(server.last_endpoint.decode())
    await first.send_multipart([b"first"])
    if accepted:
        msg = await _recv_message(server)
        assert (msg.frames, msg.get("User-Id")) == ([b"first"], "friend")
    else:
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await _refused(monitor)
    friend = client(known_public, known_secret)
    friend.connect(server.last_endpoint.decode())
    await friend.send_multipart([b"friend"])
    assert await recv_n(server, 1) == [[b"friend"]]
    first.close(linger=0)
    await assert_empty(server)
    assert [request[5] for request in handler.requests] == [b"CURVE", b"CURVE"]


async def test_malformed_reply_with_libzmq_clients(
    ctx: aiomq.Context, libzmq: Libzmq, handler_socket: list[ZapHandlerSocket]
) -> None:
    good = accept_plain(PASSWORDS)

    def decide(request: list[bytes]) -> list[bytes]:
        if request[6] == b"admin":
            return reply(request, b"200", b"admin")[:5]  # no metadata frame
        return good(request)

    handler_socket.append(ZapHandlerSocket(ctx, decide))
    server = _plain_server(ctx)
    events = EventRecorder(server)
    bad = _plain_client(libzmq, b"admin", b"secret")
    monitor = libzmq.monitor(bad)
    bad.connect(server.last_endpoint.decode())
    await bad.send_multipart([b"must not arrive"])
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
    await _refused(monitor)
    bad.close(linger=0)
    other = _plain_client(libzmq, b"guest", b"guest")
    other.connect(server.last_endpoint.decode())
    await other.send_multipart([b"other"])
    assert await recv_n(server, 1) == [[b"other"]]
    await assert_empty(server)


# -- a pyzmq program's security code, its imports changed ------------------------------


def _ironhouse_certificates(base: Path, make: str) -> tuple[Path, Path]:
    """pyzmq's examples/security layout: every certificate made in one directory, the
    public ones then moved to public_keys/, the secret ones to private_keys/. ``make``
    says whose ``create_certificates`` writes them (the other library reads them)."""
    create = zmq.auth.create_certificates if make == "pyzmq" else aiomq.auth.create_certificates
    keys = base / "certificates"
    public_dir = base / "public_keys"
    secret_dir = base / "private_keys"
    for directory in (keys, public_dir, secret_dir):
        directory.mkdir()
    create(keys, "server")
    create(keys, "client")
    for name in os.listdir(keys):
        target = public_dir if name.endswith(".key") else secret_dir
        shutil.move(keys / name, target / name)
    return public_dir, secret_dir


@pytest.mark.parametrize("make", ["pyzmq", "aiomq"])
@pytest.mark.parametrize("check", ["directory", "callback", "async callback"])
async def test_ironhouse_program(
    ctx: aiomq.Context, libzmq: Libzmq, tmp_path: Path, make: str, check: str
) -> None:
    """An aiomq server set up as pyzmq's ironhouse example does; a libzmq client holding
    the certificates pyzmq (or aiomq) made."""
    public_dir, secret_dir = _ironhouse_certificates(tmp_path, make)
    server_public, server_secret = aiomq.auth.load_certificate(secret_dir / "server.key_secret")
    client_public, client_secret = zmq.auth.load_certificate(secret_dir / "client.key_secret")
    assert server_secret is not None
    assert client_secret is not None

    class Provider:
        def callback(self, domain: str, key: bytes) -> bool:
            return domain == "*" and key == client_public

    class AsyncProvider:
        async def callback(self, domain: str, key: bytes) -> bool:
            await asyncio.sleep(0)
            return domain == "*" and key == client_public

    auth = AsyncioAuthenticator(ctx)
    auth.start()
    try:
        auth.allow("127.0.0.1")
        if check == "directory":
            auth.configure_curve(domain="*", location=str(public_dir))
        elif check == "callback":
            auth.configure_curve_callback(domain="*", credentials_provider=Provider())
        else:
            auth.configure_curve_callback(domain="*", credentials_provider=AsyncProvider())
        server = ctx.socket(aiomq.PUSH)
        server.setsockopt(aiomq.LINGER, 0)
        server.curve_secretkey = server_secret
        server.curve_publickey = server_public
        server.curve_server = True
        server.bind(TCP_ANY)

        client = libzmq.socket(zmq.PULL)
        client.curve_secretkey = client_secret
        client.curve_publickey = client_public
        client.curve_serverkey = server_public
        client.connect(server.last_endpoint.decode())
        await server.send_multipart([b"Hello World"])
        async with asyncio.timeout(DEADLINE):
            assert await client.recv_multipart() == [b"Hello World"]

        stranger = libzmq.socket(zmq.PULL)
        stranger.curve_serverkey = server_public
        stranger.curve_publickey, stranger.curve_secretkey = zmq.curve_keypair()
        monitor = libzmq.monitor(stranger)
        stranger.connect(server.last_endpoint.decode())
        await _refused(monitor)
    finally:
        auth.stop()
