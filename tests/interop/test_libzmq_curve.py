"""CURVE (RFC 25/26) between aiomq and libzmq: both roles, both sides, and refusals.

The CURVE role (server or client) is independent of bind/connect, so each role is
tried with aiomq binding and with aiomq connecting. A libzmq client holding the wrong
server key, and a plaintext (NULL) libzmq client, deliver nothing to an aiomq CURVE
server, which reports a failed handshake.
"""

from __future__ import annotations

import asyncio

import pytest
import zmq
from _helpers import EventRecorder  # type: ignore[import-not-found, unused-ignore]

import aiomq

from .libzmq_helpers import (
    TCP_ANY,
    Libzmq,
    assert_empty,
    link,
    numbered,
    recv_n,
    send_all,
)

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

SERVER_PUBLIC, SERVER_SECRET = zmq.curve_keypair()
CLIENT_PUBLIC, CLIENT_SECRET = aiomq.curve_keypair()


def _aiomq_socket(ctx: aiomq.Context, role: str) -> aiomq.Socket:
    sock = ctx.socket(aiomq.DEALER)
    sock.setsockopt(aiomq.LINGER, 0)
    if role == "server":
        sock.setsockopt(aiomq.CURVE_SERVER, 1)
        sock.setsockopt(aiomq.CURVE_SECRETKEY, SERVER_SECRET)
    else:
        sock.setsockopt(aiomq.CURVE_SERVERKEY, SERVER_PUBLIC.decode())  # str Z85 works too
        sock.setsockopt(aiomq.CURVE_PUBLICKEY, CLIENT_PUBLIC)
        sock.setsockopt(aiomq.CURVE_SECRETKEY, CLIENT_SECRET)
    return sock


def _libzmq_client(libzmq: Libzmq, server_public: bytes) -> zmq.asyncio.Socket:
    sock = libzmq.socket(zmq.DEALER)
    public, secret = zmq.curve_keypair()
    sock.curve_serverkey = server_public
    sock.curve_publickey = public
    sock.curve_secretkey = secret
    return sock


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("aiomq_role", ["server", "client"])
async def test_curve_traffic_both_ways(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_role: str, aiomq_side: str
) -> None:
    asock = _aiomq_socket(ctx, aiomq_role)
    if aiomq_role == "server":
        zsock = _libzmq_client(libzmq, SERVER_PUBLIC)
    else:
        zsock = libzmq.socket(zmq.DEALER)
        zsock.curve_server = True
        zsock.curve_secretkey = SERVER_SECRET
    events = EventRecorder(asock)
    link(asock, zsock, aiomq_side)
    messages = numbered(100)
    _, _, at_libzmq, at_aiomq = await asyncio.gather(
        send_all(asock, messages),
        send_all(zsock, messages),
        recv_n(zsock, len(messages)),
        recv_n(asock, len(messages)),
    )
    assert at_libzmq == messages
    assert at_aiomq == messages
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1
    await assert_empty(asock)
    await assert_empty(zsock)


async def test_libzmq_client_with_wrong_server_key_is_refused(
    ctx: aiomq.Context, libzmq: Libzmq
) -> None:
    server = _aiomq_socket(ctx, "server")
    events = EventRecorder(server)
    server.bind(TCP_ANY)
    wrong_public, _ = zmq.curve_keypair()
    client = _libzmq_client(libzmq, wrong_public)
    client.connect(server.last_endpoint.decode())
    await client.send_multipart([b"must not arrive"])
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
    await assert_empty(server)


async def test_plaintext_libzmq_client_is_refused(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    server = _aiomq_socket(ctx, "server")
    events = EventRecorder(server)
    server.bind(TCP_ANY)
    client = libzmq.socket(zmq.DEALER)
    client.connect(server.last_endpoint.decode())
    await client.send_multipart([b"must not arrive"])
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
    await assert_empty(server)


async def test_aiomq_client_with_wrong_server_key_gets_nothing(
    ctx: aiomq.Context, libzmq: Libzmq
) -> None:
    server = libzmq.socket(zmq.DEALER)
    server.curve_server = True
    server.curve_secretkey = SERVER_SECRET
    monitor = libzmq.monitor(server)
    endpoint = Libzmq.bind(server, TCP_ANY)
    client = ctx.socket(aiomq.DEALER)
    client.setsockopt(aiomq.LINGER, 0)
    wrong_public, _ = aiomq.curve_keypair()
    client.setsockopt(aiomq.CURVE_SERVERKEY, wrong_public)
    client.setsockopt(aiomq.CURVE_PUBLICKEY, CLIENT_PUBLIC)
    client.setsockopt(aiomq.CURVE_SECRETKEY, CLIENT_SECRET)
    client.connect(endpoint)
    await client.send_multipart([b"must not arrive"])
    await monitor.wait_for(zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
    assert monitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 0
    await assert_empty(server)


async def test_zap_admits_only_known_client_keys(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    from aiomq.auth import Authenticator

    known_public, known_secret = zmq.curve_keypair()
    async with Authenticator(ctx) as auth:
        auth.configure_curve(keys=[known_public])
        server = _aiomq_socket(ctx, "server")
        events = EventRecorder(server)
        server.bind(TCP_ANY)

        stranger = _libzmq_client(libzmq, SERVER_PUBLIC)
        stranger.connect(server.last_endpoint.decode())
        await stranger.send_multipart([b"must not arrive"])
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)

        friend = libzmq.socket(zmq.DEALER)
        friend.curve_serverkey = SERVER_PUBLIC
        friend.curve_publickey = known_public
        friend.curve_secretkey = known_secret
        friend.connect(server.last_endpoint.decode())
        await friend.send_multipart([b"welcome", b"friend"])
        assert await recv_n(server, 1) == [[b"welcome", b"friend"]]
        stranger.close(linger=0)
        await assert_empty(server)
