"""PLAIN and ZAP between aiomq sockets: options, the Authenticator (pyzmq's API), the
handler hook, certificates."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
from _helpers import EventRecorder, recv_within

import aiomq
import aiomq.auth
import aiomq.auth.asyncio
import aiomq.auth.thread
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
    ctx: aiomq.Context, password: bytes = b"secret", username: bytes = b"admin"
) -> tuple[aiomq.Socket, aiomq.Socket]:
    server = ctx.socket(aiomq.PULL)
    server.plain_server = 1
    server.bind("tcp://127.0.0.1:*")
    client = ctx.socket(aiomq.PUSH)
    client.plain_username = username
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


async def test_password_table_is_live(ctx: aiomq.Context) -> None:
    """As pyzmq, the table given to configure_plain is kept: changing it takes effect."""
    passwords = {"admin": "old"}
    async with Authenticator(ctx) as auth:
        auth.configure_plain(passwords=passwords)
        passwords["admin"] = "secret"
        server, client = _plain_pair(ctx)
        client.connect(server.last_endpoint.decode())
        await client.send(b"in")
        assert await recv_within(server) == [b"in"]


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


def test_allow_and_deny_do_not_mix() -> None:
    auth = Authenticator(aiomq.Context())
    auth.deny("10.0.0.1")
    with pytest.raises(ValueError, match="allow or deny, not both"):
        auth.allow("127.0.0.2")
    auth.deny("10.0.0.2")  # more of the same kind is fine
    other = Authenticator(aiomq.Context())
    other.allow("127.0.0.1")
    with pytest.raises(ValueError, match="allow or deny, not both"):
        other.deny("127.0.0.2")
    other.allow("127.0.0.3")


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


async def test_null_with_domain_is_anonymous(ctx: aiomq.Context) -> None:
    async with Authenticator(ctx):
        server = ctx.socket(aiomq.PULL)
        server.zap_domain = b"global"
        server.bind("tcp://127.0.0.1:*")
        client = ctx.socket(aiomq.PUSH)
        client.connect(server.last_endpoint.decode())
        await client.send(b"x")
        async with asyncio.timeout(5):
            msg = await server.recv_message()
    assert msg.get("User-Id") == "anonymous"


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


async def test_failing_handler_refuses(
    ctx: aiomq.Context, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: ZapRequest) -> ZapReply:
        raise RuntimeError("boom")

    async with Authenticator(ctx, handler=handler):
        server, client = _plain_pair(ctx)
        client.reconnect_ivl = -1  # one attempt, one log record
        events = EventRecorder(server)
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await client_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)  # ERROR "500"
    failures = [r for r in caplog.records if r.name == "aiomq.auth" and r.exc_info]
    assert [r.getMessage() for r in failures] == ["ZAP decision failed for PLAIN from '127.0.0.1'"]


def test_zap_reply_takes_only_rfc_27_codes() -> None:
    for code in ("200", "300", "400", "500"):
        assert ZapReply(code).status_code == code
    with pytest.raises(ValueError, match="200, 300, 400 or 500"):
        ZapReply("401")


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


async def test_temporary_error_closes_without_error_command(ctx: aiomq.Context) -> None:
    """Status 300: the server closes without ERROR (libzmq), so the client sees a plain
    close, not a refusal."""

    async def handler(request: ZapRequest) -> ZapReply:
        return ZapReply("300", "try later")

    async with Authenticator(ctx, handler=handler):
        server, client = _plain_pair(ctx)
        client.reconnect_ivl = -1
        events = EventRecorder(server)
        client_events = EventRecorder(client)
        client.connect(server.last_endpoint.decode())
        await events.wait_for(aiomq.Event.HANDSHAKE_FAILED_AUTH)
        await client_events.wait_for(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL)
        assert client_events.count(aiomq.Event.HANDSHAKE_FAILED_AUTH) == 0


# -- decisions, as pyzmq's Authenticator makes them ------------------------------------


def _request(
    mechanism: str, *credentials: bytes, domain: str = "", address: str = "127.0.0.1"
) -> ZapRequest:
    return ZapRequest(domain, address, b"", mechanism, credentials, 1)


async def _verdict(auth: Authenticator, request: ZapRequest) -> tuple[str, str, str]:
    reply = await auth.authenticate(request)
    return reply.status_code, reply.status_text, reply.user_id


async def test_plain_decisions_and_reasons() -> None:
    auth = Authenticator(aiomq.Context())
    plain = _request("PLAIN", b"admin", b"secret")
    assert await _verdict(auth, plain) == ("400", "No passwords defined", "")
    auth.configure_plain("other", {"admin": "secret"})
    assert await _verdict(auth, plain) == ("400", "Invalid domain", "")
    auth.configure_plain("*", {"admin": "secret"})
    assert await _verdict(auth, plain) == ("200", "OK", "admin")
    assert await _verdict(auth, _request("PLAIN", b"root", b"secret")) == (
        "400",
        "Invalid username",
        "",
    )
    assert await _verdict(auth, _request("PLAIN", b"admin", b"x")) == (
        "400",
        "Invalid password",
        "",
    )
    assert await _verdict(auth, _request("PLAIN", b"admin", b"secret", domain="other")) == (
        "200",
        "OK",
        "admin",
    )
    assert await _verdict(auth, _request("PLAIN", b"admin")) == (
        "400",
        "Invalid credentials",
        "",
    )
    auth.configure_plain("other", None)  # forgets the domain
    assert await _verdict(auth, _request("PLAIN", b"admin", b"secret", domain="other")) == (
        "400",
        "Invalid domain",
        "",
    )


async def test_address_decisions() -> None:
    auth = Authenticator(aiomq.Context())
    assert await _verdict(auth, _request("NULL")) == ("200", "OK", "anonymous")
    auth.allow("10.0.0.1")
    assert await _verdict(auth, _request("NULL")) == ("400", "Address not allowed", "")
    assert await _verdict(auth, _request("NULL", address="10.0.0.1")) == (
        "200",
        "OK",
        "anonymous",
    )
    # An allowed address still needs PLAIN credentials.
    assert await _verdict(auth, _request("PLAIN", b"a", b"b", address="10.0.0.1")) == (
        "400",
        "No passwords defined",
        "",
    )
    denier = Authenticator(aiomq.Context())
    denier.deny("10.0.0.1")
    assert await _verdict(denier, _request("NULL", address="10.0.0.1")) == (
        "400",
        "Address denied",
        "",
    )
    assert await _verdict(denier, _request("NULL")) == ("200", "OK", "anonymous")


async def test_curve_decisions(tmp_path: Path) -> None:
    pytest.importorskip("nacl")
    public, _ = aiomq.curve_keypair()
    raw = aiomq.z85.decode(public)
    stranger = bytes(32)
    auth = Authenticator(aiomq.Context())
    assert await _verdict(auth, _request("CURVE", raw)) == ("400", "Unknown domain", "")
    auth.configure_curve(keys=[public])
    assert await _verdict(auth, _request("CURVE", raw)) == ("200", "OK", public.decode())
    assert await _verdict(auth, _request("CURVE", stranger)) == ("400", "Unknown key", "")
    assert await _verdict(auth, _request("CURVE", raw, domain="x")) == (
        "400",
        "Unknown domain",
        "",
    )
    assert await _verdict(auth, _request("CURVE", raw, raw)) == ("400", "Invalid credentials", "")
    # CURVE_ALLOW_ANY holds for every domain, as in pyzmq ...
    auth.configure_curve("*", aiomq.auth.CURVE_ALLOW_ANY)
    assert auth.allow_any
    assert (await _verdict(auth, _request("CURVE", stranger, domain="x")))[0] == "200"
    # ... until a directory is configured, for any domain.
    (tmp_path / "client.key").write_text(f'curve\n    public-key = "{public.decode()}"\n')
    auth.configure_curve("x", tmp_path)
    assert not auth.allow_any
    assert auth.certs["x"] == {public: True}
    assert await _verdict(auth, _request("CURVE", raw, domain="x")) == (
        "200",
        "OK",
        public.decode(),
    )
    assert await _verdict(auth, _request("CURVE", stranger)) == ("400", "Unknown key", "")


def test_configure_curve_refuses_bad_input(tmp_path: Path) -> None:
    auth = Authenticator(aiomq.Context())
    with pytest.raises(OSError, match="Invalid certificate directory"):
        auth.configure_curve(location=tmp_path / "missing")
    with pytest.raises(ValueError, match="40 characters, not 32"):
        auth.configure_curve(keys=[bytes(32)])
    with pytest.raises(ValueError, match="location or keys, not both"):
        auth.configure_curve(location=tmp_path, keys=[])


class _Provider:
    def __init__(self, accepted: bytes) -> None:
        self.accepted = accepted
        self.asked: list[tuple[str, bytes]] = []

    def callback(self, domain: str, key: bytes) -> bool:
        self.asked.append((domain, key))
        return key == self.accepted


class _AsyncProvider(_Provider):
    async def callback(self, domain: str, key: bytes) -> bool:  # type: ignore[override]
        await asyncio.sleep(0)
        return super().callback(domain, key)


@pytest.mark.parametrize("provider_class", [_Provider, _AsyncProvider])
async def test_credentials_provider_decides(provider_class: type[_Provider]) -> None:
    pytest.importorskip("nacl")
    public, _ = aiomq.curve_keypair()
    raw = aiomq.z85.decode(public)
    provider = provider_class(public)
    auth = Authenticator(aiomq.Context())
    auth.configure_curve(keys=[aiomq.curve_keypair()[0]])  # not consulted while a provider is
    auth.configure_curve_callback(credentials_provider=provider)
    assert await _verdict(auth, _request("CURVE", raw)) == ("200", "OK", public.decode())
    assert await _verdict(auth, _request("CURVE", bytes(32))) == ("400", "Unknown key", "")
    assert await _verdict(auth, _request("CURVE", raw, domain="other")) == (
        "400",
        "Unknown domain",
        "",
    )
    assert provider.asked == [("*", public), ("*", aiomq.z85.encode(bytes(32)))]


def test_credentials_provider_needs_a_callback() -> None:
    auth = Authenticator(aiomq.Context())
    with pytest.raises(TypeError, match="callback"):
        auth.configure_curve_callback()
    with pytest.raises(TypeError, match="callback"):
        auth.configure_curve_callback("*", object())  # type: ignore[arg-type]


async def test_failing_provider_is_an_internal_error() -> None:
    class Broken:
        def callback(self, domain: str, key: bytes) -> bool:
            raise RuntimeError("database down")

    auth = Authenticator(aiomq.Context())
    auth.configure_curve_callback(credentials_provider=Broken())
    assert await _verdict(auth, _request("CURVE", bytes(32))) == ("500", "Internal error", "")


async def test_curve_user_id_is_overridable() -> None:
    auth = Authenticator(aiomq.Context())
    auth.configure_curve(location=aiomq.auth.CURVE_ALLOW_ANY)
    key = bytes(range(32))
    assert (await _verdict(auth, _request("CURVE", key)))[2] == aiomq.z85.encode(key).decode()

    class Named(Authenticator):
        def curve_user_id(self, client_public_key: bytes) -> str:
            return f"user-{client_public_key[0]}"

    named = Named(aiomq.Context())
    named.configure_curve(location=aiomq.auth.CURVE_ALLOW_ANY)
    assert (await _verdict(named, _request("CURVE", key)))[2] == "user-0"


def test_gssapi_is_not_supported() -> None:
    with pytest.raises(NotImplementedError, match="no GSSAPI mechanism"):
        Authenticator(aiomq.Context()).configure_gssapi()


async def test_encoding_decodes_credentials_and_encodes_the_user_id() -> None:
    auth = Authenticator(aiomq.Context(), encoding="latin-1")
    auth.configure_plain(passwords={"j\xe9r\xf4me": "p\xe4ss"})
    reply = await auth.authenticate(_request("PLAIN", b"j\xe9r\xf4me", b"p\xe4ss"))
    assert reply.status_code == "200"
    # The engine sends User-Id as UTF-8 with surrogate escapes: the latin-1 bytes arrive.
    assert reply.user_id.encode("utf-8", "surrogateescape") == b"j\xe9r\xf4me"
    with pytest.raises(LookupError):
        Authenticator(aiomq.Context(), encoding="no-such-codec")


async def test_decisions_are_logged() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("test_auth.decisions")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    keep = Keep()
    log.addHandler(keep)
    try:
        auth = Authenticator(aiomq.Context(), log=log)
        auth.allow("127.0.0.1")
        auth.configure_plain(passwords={"admin": "secret"})
        await auth.authenticate(_request("PLAIN", b"admin", b"secret"))
        await auth.authenticate(_request("NULL", address="10.9.9.9"))
    finally:
        log.removeHandler(keep)
    messages = [record.getMessage() for record in records]
    assert [m.split(",")[0] for m in messages] == [
        "Allowing 127.0.0.1",
        "Configure plain: *",
        "request_id: 1",
        "PASSED (allowed) address=127.0.0.1",
        "ALLOWED (PLAIN) domain=* username=admin",
        "ZAP reply code=200 text=OK",
        "request_id: 1",
        "DENIED (not allowed) address=10.9.9.9",
        "ZAP reply code=400 text=Address not allowed",
    ]
    assert "mechanism: 'PLAIN'" in messages[2]
    assert "mechanism: 'NULL'" in messages[6]
    assert all("secret" not in message for message in messages)  # no password in the log
    assert Authenticator(aiomq.Context()).log is logging.getLogger("aiomq.auth")


# -- life cycle -------------------------------------------------------------------------


async def test_one_handler_per_context(ctx: aiomq.Context) -> None:
    auth = Authenticator(ctx)
    auth.start()
    auth.start()  # already running: nothing happens
    assert auth.is_alive()
    with pytest.raises(aiomq.ZMQError) as refused:
        Authenticator(ctx).start()
    assert refused.value.errno == aiomq.EADDRINUSE
    auth.stop()
    assert not auth.is_alive()
    other = Authenticator(ctx)
    other.start()
    other.stop()
    auth.stop()  # stopping twice is harmless


async def test_start_on_terminated_context(ctx: aiomq.Context) -> None:
    await ctx.term()
    with pytest.raises(aiomq.ContextTerminated):
        Authenticator(ctx).start()


def test_default_context_is_the_shared_instance() -> None:
    assert Authenticator().context is aiomq.Context.instance()


async def test_pyzmq_names(ctx: aiomq.Context) -> None:
    assert aiomq.auth.AsyncioAuthenticator is aiomq.auth.asyncio.AsyncioAuthenticator
    assert issubclass(aiomq.auth.asyncio.AsyncioAuthenticator, Authenticator)
    assert issubclass(aiomq.auth.thread.ThreadAuthenticator, Authenticator)
    auth = aiomq.auth.asyncio.AsyncioAuthenticator(ctx, encoding="latin-1")
    assert (auth.context, auth.encoding) == (ctx, "latin-1")
    with pytest.warns(DeprecationWarning, match="loop"):
        aiomq.auth.asyncio.AsyncioAuthenticator(ctx, asyncio.get_running_loop())
    threaded = aiomq.auth.thread.ThreadAuthenticator(ctx)
    threaded.start()
    assert threaded.is_alive()
    threaded.stop()


# -- certificates ------------------------------------------------------------------------


def test_certificates(tmp_path: Path) -> None:
    pytest.importorskip("nacl")
    public_file, secret_file = aiomq.auth.create_certificates(
        tmp_path, "server", metadata={"name": "test"}
    )
    assert (public_file, secret_file) == (
        os.path.join(tmp_path, "server.key"),
        os.path.join(tmp_path, "server.key_secret"),
    )
    public, secret = aiomq.auth.load_certificate(secret_file)
    assert secret is not None
    assert len(public) == len(secret) == 40
    assert aiomq.auth.load_certificate(public_file) == (public, None)
    assert aiomq.curve_public(secret) == public
    assert aiomq.auth.load_certificates(tmp_path) == {public: True}
    assert os.stat(secret_file).st_mode & 0o777 == 0o600
    assert "name = test" in Path(secret_file).read_text()
    assert "name" not in Path(public_file).read_text()  # pyzmq: metadata in the secret file


def test_certificate_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="Invalid certificate file"):
        aiomq.auth.load_certificate(tmp_path / "missing.key")
    empty = tmp_path / "empty.key"
    empty.write_text("metadata\ncurve\n")
    with pytest.raises(ValueError, match="No public key found"):
        aiomq.auth.load_certificate(empty)
    with pytest.raises(OSError, match="Invalid certificate directory"):
        aiomq.auth.load_certificates(empty)
    quoted = tmp_path / "quoted.key"
    quoted.write_text("# public-key = \"ignored\"\ncurve\n    public-key = 'abc'\n")
    assert aiomq.auth.load_certificate(quoted) == (b"abc", None)
