"""PLAIN and ZAP between aiomq sockets: options, the Authenticator, the handler hook."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from _helpers import EventRecorder, recv_within

import aiomq
import aiomq.auth
from aiomq.auth import Authenticator, ZapReply, ZapRequest

pytestmark = pytest.mark.timeout(30)


# -- options ------------------------------------------------------------------------


async def test_mechanism_is_derived(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.DEALER)
    assert sock.getsockopt(aiomq.MECHANISM) == aiomq.NULL
    sock.setsockopt(aiomq.PLAIN_USERNAME, b"admin")
    assert sock.mechanism == aiomq.PLAIN
    assert sock.plain_server == 0
    sock.setsockopt(aiomq.PLAIN_SERVER, 1)
    assert (sock.mechanism, sock.plain_server) == (aiomq.PLAIN, 1)
    sock.plain_server = 0
    assert sock.mechanism == aiomq.NULL
    sock.plain_password = b"x"
    assert sock.mechanism == aiomq.PLAIN
    sock.plain_password = b""
    assert sock.mechanism == aiomq.NULL


async def test_option_validation(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.DEALER)
    with pytest.raises(TypeError, match="setsockopt_string"):
        sock.setsockopt(aiomq.PLAIN_USERNAME, "admin")
    with pytest.raises(aiomq.ZMQError):
        sock.setsockopt(aiomq.MECHANISM, 1)
    with pytest.raises(aiomq.ZMQError):
        sock.setsockopt(aiomq.ZAP_ENFORCE_DOMAIN, 2)
    with pytest.raises(aiomq.ZMQError):
        sock.setsockopt(aiomq.PLAIN_PASSWORD, b"x" * 256)
    sock.setsockopt(aiomq.ZAP_DOMAIN, b"global")
    assert sock.zap_domain == b"global"


def test_message_get() -> None:
    msg = aiomq.Message([b"a"], {"User-Id": b"admin", "Socket-Type": b"REQ"})
    assert msg.get("user-id") == "admin"
    assert msg.get("Socket-Type") == "REQ"
    assert msg.get("X-Missing") is None


# -- PLAIN ----------------------------------------------------------------------------


def _plain_pair(
    ctx: aiomq.Context, password: bytes = b"secret"
) -> tuple[aiomq.Socket, aiomq.Socket]:
    server = ctx.socket(aiomq.PULL)
    server.plain_server = 1
    server.bind("tcp://127.0.0.1:*")
    client = ctx.socket(aiomq.PUSH)
    client.plain_username = b"admin"
    client.plain_password = password
    return server, client


async def test_plain_accepted_with_user_id(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords={"admin": "secret"})
        server, client = _plain_pair(ctx)
        client.connect(server.last_endpoint.decode())
        await client.send(b"hello")
        async with asyncio.timeout(5):
            msg = await server.recv_message()
        assert msg.frames == [b"hello"]
        assert msg.get("User-Id") == "admin"
        assert msg.get("Socket-Type") == "PUSH"
        assert msg.get("Peer-Address") == "127.0.0.1"


async def test_plain_wrong_password_refused(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords={"admin": "secret"})
        server, client = _plain_pair(ctx, b"wrong")
        server_events = EventRecorder(server)
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        await server_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await client_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        assert client_events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_plain_without_handler_refused(ctx: aiomq.Context) -> None:
    server, client = _plain_pair(ctx)
    server_events = EventRecorder(server)
    client.connect(server.last_endpoint.decode())
    await server_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert server_events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0


async def test_unknown_domain_refused(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx) as auth:
        auth.configure_plain("other", passwords={"admin": "secret"})
        server, client = _plain_pair(ctx)
        server.zap_domain = b"mine"
        events = EventRecorder(server)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)


# -- address lists and NULL -------------------------------------------------------------


async def test_deny_address(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx) as auth:
        auth.deny("127.0.0.1")
        auth.configure_plain(passwords={"admin": "secret"})
        server, client = _plain_pair(ctx)
        events = EventRecorder(server)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)


async def test_allow_list(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx) as auth:
        auth.allow("10.1.2.3")
        server = ctx.socket(aiomq.PULL)
        server.zap_domain = b"global"
        server.bind("tcp://127.0.0.1:*")
        events = EventRecorder(server)
        client = ctx.socket(aiomq.PUSH)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        auth.allow("127.0.0.1")
        await client.send(b"now")
        assert await recv_within(server) == [b"now"]


async def test_null_without_domain_skips_zap(ctx: aiomq.Context) -> None:
    asked: list[ZapRequest] = []

    async def handler(request: ZapRequest) -> bool:
        asked.append(request)
        return False

    async with Authenticator(ctx, handler=handler):
        server = ctx.socket(aiomq.PULL)
        server.bind("tcp://127.0.0.1:*")
        client = ctx.socket(aiomq.PUSH)
        client.connect(server.last_endpoint.decode())
        await client.send(b"x")
        assert await recv_within(server) == [b"x"]
    assert asked == []


# -- the handler hook -------------------------------------------------------------------


async def test_handler_hook_decides(ctx: aiomq.Context) -> None:
    requests: list[ZapRequest] = []

    async def handler(request: ZapRequest) -> ZapReply:
        requests.append(request)
        await asyncio.sleep(0)  # an asynchronous decision
        if request.credentials == (b"admin", b"pw"):
            return ZapReply(user_id="root", metadata={"X-Role": b"boss"})
        return ZapReply("400", "no")

    async with Authenticator(ctx, handler=handler):
        server, client = _plain_pair(ctx, b"pw")
        server.zap_domain = b"dom"
        client.connect(server.last_endpoint.decode())
        await client.send(b"m")
        async with asyncio.timeout(5):
            msg = await server.recv_message()
    assert msg.get("User-Id") == "root"
    assert msg.get("X-Role") == "boss"
    (request,) = requests
    assert (request.domain, request.mechanism, request.address) == ("dom", "PLAIN", "127.0.0.1")


async def test_failing_handler_refuses(ctx: aiomq.Context) -> None:
    async def handler(request: ZapRequest) -> ZapReply:
        raise RuntimeError("boom")

    async with Authenticator(ctx, handler=handler):
        server, client = _plain_pair(ctx)
        events = EventRecorder(server)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)


async def test_null_with_domain_asks_zap(ctx: aiomq.Context) -> None:
    async def handler(request: ZapRequest) -> ZapReply:
        assert request.mechanism == "NULL"
        assert request.credentials == ()
        return ZapReply(user_id="anon")

    async with Authenticator(ctx, handler=handler):
        server = ctx.socket(aiomq.PULL)
        server.zap_domain = b"global"
        server.bind("tcp://127.0.0.1:*")
        client = ctx.socket(aiomq.PUSH)
        client.connect(server.last_endpoint.decode())
        await client.send(b"x")
        async with asyncio.timeout(5):
            msg = await server.recv_message()
    assert msg.get("User-Id") == "anon"


# -- life cycle and certificates --------------------------------------------------------


async def test_one_handler_per_context(ctx: aiomq.Context) -> None:
    auth = Authenticator(ctx)
    auth.start()
    assert auth.is_alive()
    with pytest.raises(aiomq.ZMQError):
        Authenticator(ctx).start()
    auth.stop()
    assert not auth.is_alive()
    other = Authenticator(ctx)
    other.start()
    other.stop()


def test_certificates(tmp_path: Path) -> None:
    pytest.importorskip("nacl")
    public_file, secret_file = aiomq.auth.create_certificates(tmp_path, "server")
    public, secret = aiomq.auth.load_certificate(secret_file)
    assert secret is not None
    assert len(public) == len(secret) == 40
    assert aiomq.auth.load_certificate(public_file) == (public, None)
    assert aiomq.curve_public(secret) == public
    assert aiomq.auth.load_certificates(tmp_path) == {public: True}


async def test_curve_keys_decision(tmp_path: Path) -> None:
    pytest.importorskip("nacl")
    public, _ = aiomq.curve_keypair()
    raw = aiomq.z85.decode(public)
    auth = Authenticator(aiomq.Context())
    auth.configure_curve(keys=[public])
    request = ZapRequest("", "127.0.0.1", b"", "CURVE", (raw,))
    reply = await auth._handle(request)
    assert (reply.status_code, reply.user_id) == ("200", public.decode())
    other = ZapRequest("", "127.0.0.1", b"", "CURVE", (bytes(32),))
    assert (await auth._handle(other)).status_code == "400"
    auth.configure_curve(location=aiomq.auth.CURVE_ALLOW_ANY)
    assert (await auth._handle(other)).status_code == "200"


async def test_enforce_domain_asks_zap_for_null(ctx: aiomq.Context) -> None:
    async def handler(request: ZapRequest) -> bool:
        return request.domain != ""

    async with Authenticator(ctx, handler=handler):
        server = ctx.socket(aiomq.PULL)
        server.zap_enforce_domain = 1
        server.bind("tcp://127.0.0.1:*")
        events = EventRecorder(server)
        client = ctx.socket(aiomq.PUSH)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        assert events.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0
