"""An application's ZAP handler socket on ``inproc://zeromq.zap.01``, asked by aiomq
servers (RFC 27), with aiomq clients.

The handler is written as libzmq applications write it (tests/_zap_helpers.py): a REP or
ROUTER socket in the server's Context answering request frames. Outcomes are asserted
exactly: messages delivered with the handler's User-Id and metadata, or the connection
refused with the monitor events libzmq reports, while other peers keep working.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from _helpers import EventRecorder, assert_empty
from _zap_helpers import (
    ZAP_ENDPOINT,
    Decide,
    ZapHandlerSocket,
    accept_curve_keys,
    accept_plain,
    reply,
)

import aiomq
from aiomq.auth import Authenticator

pytestmark = pytest.mark.timeout(30)

TCP_ANY = "tcp://127.0.0.1:*"
PASSWORDS = {b"admin": b"secret", b"guest": b"guest"}


@asynccontextmanager
async def zap_handler(
    ctx: aiomq.Context, decide: Decide, kind: int = aiomq.REP
) -> AsyncIterator[ZapHandlerSocket]:
    handler = ZapHandlerSocket(ctx, decide, kind)
    try:
        yield handler
    finally:
        await handler.close()


def plain_server(ctx: aiomq.Context, **options: int | bytes) -> aiomq.Socket:
    server = ctx.socket(aiomq.PULL)
    server.setsockopt(aiomq.LINGER, 0)
    server.plain_server = 1
    for name, value in options.items():
        server.setsockopt(getattr(aiomq, name), value)
    server.bind(TCP_ANY)
    return server


def plain_client(ctx: aiomq.Context, username: bytes, password: bytes) -> aiomq.Socket:
    """A PLAIN client that tries once (no reconnect), so each test sees one request."""
    client = ctx.socket(aiomq.PUSH)
    client.setsockopt(aiomq.LINGER, 0)
    client.reconnect_ivl = -1
    client.plain_username = username
    client.plain_password = password
    return client


async def send_and_receive(
    client: aiomq.Socket, server: aiomq.Socket, payload: bytes
) -> aiomq.Message:
    await client.send_multipart([payload])
    async with asyncio.timeout(5):
        return await server.recv_message()


# -- the request, the reply, and what reaches the messages ------------------------------


@pytest.mark.parametrize("kind", [aiomq.REP, aiomq.ROUTER], ids=["REP", "ROUTER"])
async def test_plain_request_frames_and_reply_properties(ctx: aiomq.Context, kind: int) -> None:
    def decide(request: list[bytes]) -> list[bytes]:
        return reply(request, b"200", b"anonymous", b"\x05Hello\x00\x00\x00\x05World")

    async with zap_handler(ctx, decide, kind) as handler:
        server = plain_server(ctx, ZAP_DOMAIN=b"global", ROUTING_ID=b"IDENT")
        client = plain_client(ctx, b"admin", b"secret")
        client.connect(server.last_endpoint.decode())
        msg = await send_and_receive(client, server, b"hello")
    assert msg.frames == [b"hello"]
    assert msg.get("User-Id") == "anonymous"
    assert msg.get("Hello") == "World"
    assert msg.get("Socket-Type") == "PUSH"
    ((version, request_id, *fields),) = handler.requests
    assert version == b"1.0"
    assert request_id.isdigit()
    assert fields == [b"global", b"127.0.0.1", b"IDENT", b"PLAIN", b"admin", b"secret"]


@pytest.mark.parametrize(
    ("username", "password", "accepted"),
    [(b"admin", b"secret", True), (b"admin", b"wrong", False), (b"nobody", b"secret", False)],
)
async def test_plain_allowed_or_denied(
    ctx: aiomq.Context, username: bytes, password: bytes, accepted: bool
) -> None:
    async with zap_handler(ctx, accept_plain(PASSWORDS)) as handler:
        server = plain_server(ctx)
        events = EventRecorder(server)
        client = plain_client(ctx, username, password)
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        if accepted:
            msg = await send_and_receive(client, server, b"in")
            assert (msg.frames, msg.get("User-Id")) == ([b"in"], "admin")
        else:
            await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
            await client_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)  # ERROR "400"
            assert client_events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
        # Another peer, with the right password, is served meanwhile.
        other = plain_client(ctx, b"guest", b"guest")
        other.connect(server.last_endpoint.decode())
        msg = await send_and_receive(other, server, b"other")
        assert (msg.frames, msg.get("User-Id")) == ([b"other"], "guest")
        await assert_empty(server)
    assert [request[6:] for request in handler.requests] == [
        [username, password],
        [b"guest", b"guest"],
    ]
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == (2 if accepted else 1)


@pytest.mark.parametrize("accepted", [True, False], ids=["known", "stranger"])
async def test_curve_allowed_or_denied(ctx: aiomq.Context, accepted: bool) -> None:
    pytest.importorskip("nacl")
    server_public, server_secret = aiomq.curve_keypair()
    known_public, known_secret = aiomq.curve_keypair()
    stranger_public, stranger_secret = aiomq.curve_keypair()

    def curve_client(public: bytes, secret: bytes) -> aiomq.Socket:
        client = ctx.socket(aiomq.PUSH)
        client.setsockopt(aiomq.LINGER, 0)
        client.reconnect_ivl = -1
        client.curve_serverkey = server_public
        client.curve_publickey = public
        client.curve_secretkey = secret
        return client

    decide = accept_curve_keys({aiomq.z85.decode(known_public)})
    async with zap_handler(ctx, decide) as handler:
        server = ctx.socket(aiomq.PULL)
        server.curve_server = 1
        server.curve_secretkey = server_secret
        server.bind(TCP_ANY)
        events = EventRecorder(server)
        if accepted:
            client = curve_client(known_public, known_secret)
        else:
            client = curve_client(stranger_public, stranger_secret)
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        if accepted:
            msg = await send_and_receive(client, server, b"in")
            assert (msg.frames, msg.get("User-Id")) == ([b"in"], "friend")
        else:
            await client.send(b"must not arrive")
            await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
            await client_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        friend = curve_client(known_public, known_secret)
        friend.connect(server.last_endpoint.decode())
        msg = await send_and_receive(friend, server, b"friend")
        assert msg.frames == [b"friend"]
        await assert_empty(server)
    mechanisms = [(request[5], len(request[6])) for request in handler.requests]
    assert mechanisms == [(b"CURVE", 32), (b"CURVE", 32)]
    expected_first = known_public if accepted else stranger_public
    assert handler.requests[0][6] == aiomq.z85.decode(expected_first)


async def test_null_asks_only_with_a_domain(ctx: aiomq.Context) -> None:
    async with zap_handler(ctx, lambda request: reply(request, b"200", b"nobody")) as handler:
        plain = ctx.socket(aiomq.PULL)
        plain.bind(TCP_ANY)
        guarded = ctx.socket(aiomq.PULL)
        guarded.zap_domain = b"global"
        guarded.bind(TCP_ANY)
        for server in (plain, guarded):
            client = ctx.socket(aiomq.PUSH)
            client.connect(server.last_endpoint.decode())
            await client.send(b"x")
        async with asyncio.timeout(5):
            unasked = await plain.recv_message()
            asked = await guarded.recv_message()
    assert (unasked.get("User-Id"), asked.get("User-Id")) == (None, "nobody")
    assert [request[2:6] for request in handler.requests] == [
        [b"global", b"127.0.0.1", b"", b"NULL"]
    ]


async def test_each_request_has_a_connection_of_its_own(ctx: aiomq.Context) -> None:
    """As libzmq's per-session ZAP pipe: the handler sees one inproc peer per request,
    gone once the reply was taken."""
    async with zap_handler(ctx, accept_plain(PASSWORDS)) as handler:
        server = plain_server(ctx)
        for name in (b"admin", b"guest"):
            client = plain_client(ctx, name, PASSWORDS[name])
            client.connect(server.last_endpoint.decode())
            await send_and_receive(client, server, name)
        await handler.wait_event(aiomq.Event.DISCONNECTED, 2)
        links = (aiomq.Event.ACCEPTED, aiomq.Event.DISCONNECTED)
        assert [event for event in handler.events if event in links] == [*links, *links]
    request_ids = [request[1] for request in handler.requests]
    assert len(set(request_ids)) == 2


async def test_handler_bound_after_the_server(ctx: aiomq.Context) -> None:
    """Whether a handler runs is decided when the request is due, as in libzmq."""
    server = plain_server(ctx)
    events = EventRecorder(server)
    client = ctx.socket(aiomq.PUSH)
    client.setsockopt(aiomq.LINGER, 0)
    client.plain_username = b"admin"
    client.plain_password = b"secret"
    client.connect(server.last_endpoint.decode())
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)  # no handler yet
    async with zap_handler(ctx, accept_plain(PASSWORDS)):
        msg = await send_and_receive(client, server, b"later")  # the client reconnects
    assert msg.get("User-Id") == "admin"


# -- replies that are not verdicts -------------------------------------------------------


def _mangled(how: str) -> Callable[[list[bytes]], list[bytes]]:
    def mangle(request: list[bytes]) -> list[bytes]:
        good = reply(request, b"200", b"admin")
        if how == "five frames":
            return good[:5]
        if how == "seven frames":
            return [*good, b"extra"]
        if how == "version":
            return [b"2.0", *good[1:]]
        if how == "request id":
            return [good[0], request[1] + b"0", *good[2:]]
        if how == "status code":
            return [good[0], good[1], b"201", *good[3:]]
        assert how == "metadata", how
        return [*good[:5], b"\x05Hello\x00\x00\x00\x09World"]  # value runs past the end

    return mangle


@pytest.mark.parametrize(
    "how", ["five frames", "seven frames", "version", "request id", "status code", "metadata"]
)
async def test_malformed_reply_fails_that_handshake_only(ctx: aiomq.Context, how: str) -> None:
    """libzmq: a malformed ZAP reply is a protocol error of that connection (no ERROR
    sent, HANDSHAKE_FAILED_PROTOCOL); other connections are unaffected."""
    mangle = _mangled(how)
    good = accept_plain(PASSWORDS)

    def decide(request: list[bytes]) -> list[bytes]:
        return mangle(request) if request[6] == b"admin" else good(request)

    async with zap_handler(ctx, decide) as handler:
        server = plain_server(ctx)
        events = EventRecorder(server)
        bad = plain_client(ctx, b"admin", b"secret")
        bad_events = EventRecorder(bad)
        bad.connect(server.last_endpoint.decode())
        await bad.send(b"must not arrive")
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_PROTOCOL)
        await bad_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
        assert bad_events.count(aiomq.Event.HANDSHAKE_FAILED_AUTH) == 0
        other = plain_client(ctx, b"guest", b"guest")
        other.connect(server.last_endpoint.decode())
        msg = await send_and_receive(other, server, b"other")
        assert msg.frames == [b"other"]
        await assert_empty(server)
    assert len(handler.requests) == 2
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1


@pytest.mark.parametrize(
    ("status", "client_event"),
    [
        (b"300", aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL),  # closed without ERROR
        (b"400", aiomq.Event.HANDSHAKE_FAILED_AUTH),
        (b"500", aiomq.Event.HANDSHAKE_FAILED_AUTH),
    ],
)
async def test_refusing_status_codes(
    ctx: aiomq.Context, status: bytes, client_event: aiomq.Event
) -> None:
    async with zap_handler(ctx, lambda request: reply(request, status)):
        server = plain_server(ctx)
        events = EventRecorder(server)
        client = plain_client(ctx, b"admin", b"secret")
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await client_events.wait_for(client_event)
        assert client_events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_handler_that_never_answers(ctx: aiomq.Context) -> None:
    """As libzmq, the handshake waits for the reply: HANDSHAKE_IVL ends the wait."""
    async with zap_handler(ctx, lambda request: None) as handler:
        server = plain_server(ctx, HANDSHAKE_IVL=200)
        events = EventRecorder(server)
        client = plain_client(ctx, b"admin", b"secret")
        client.connect(server.last_endpoint.decode())
        await handler.wait_requests(1)
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
        assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
        await handler.wait_event(aiomq.Event.DISCONNECTED)  # the abandoned request's link


async def test_handler_closing_before_it_answers(ctx: aiomq.Context) -> None:
    handler = ZapHandlerSocket(ctx, lambda request: None)
    server = plain_server(ctx)
    events = EventRecorder(server)
    client = plain_client(ctx, b"admin", b"secret")
    client.connect(server.last_endpoint.decode())
    await handler.wait_requests(1)
    await handler.close()
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_a_socket_of_another_type_is_no_handler(ctx: aiomq.Context) -> None:
    """libzmq asks only a REP or ROUTER handler; a PULL on the name is like none."""
    squatter = ctx.socket(aiomq.PULL)
    squatter.bind(ZAP_ENDPOINT)
    server = plain_server(ctx)
    events = EventRecorder(server)
    client = plain_client(ctx, b"admin", b"secret")
    client.connect(server.last_endpoint.decode())
    await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert events.count(aiomq.Event.HANDSHAKE_FAILED_AUTH) == 0
    await assert_empty(squatter)


# -- one name: the Authenticator and a handler socket exclude each other --------------


async def test_authenticator_and_handler_socket_exclude_each_other(ctx: aiomq.Context) -> None:
    handler = ZapHandlerSocket(ctx, accept_plain(PASSWORDS))
    auth = Authenticator(ctx)
    with pytest.raises(aiomq.ZMQError, match=r"bound on inproc://zeromq\.zap\.01") as refused:
        auth.start()
    assert refused.value.errno == aiomq.EADDRINUSE
    assert not auth.is_alive()
    await handler.close()
    auth.start()
    sock = ctx.socket(aiomq.REP)
    with pytest.raises(aiomq.ZMQError) as in_use:
        sock.bind(ZAP_ENDPOINT)
    assert in_use.value.errno == aiomq.EADDRINUSE
    auth.stop()
    sock.bind(ZAP_ENDPOINT)  # free again
    sock.close(linger=0)


async def test_connecting_to_the_authenticator_name_is_refused(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx):
        probe = ctx.socket(aiomq.REQ)
        events = EventRecorder(probe)
        probe.connect(ZAP_ENDPOINT)
        await events.wait_for(aiomq.Event.DISCONNECTED)


async def test_authenticator_is_asked_after_the_handler_socket_left(ctx: aiomq.Context) -> None:
    async with zap_handler(ctx, lambda request: reply(request, b"400")):
        pass
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords={"admin": "secret"})
        server = plain_server(ctx)
        client = plain_client(ctx, b"admin", b"secret")
        client.connect(server.last_endpoint.decode())
        msg = await send_and_receive(client, server, b"in")
    assert msg.get("User-Id") == "admin"
