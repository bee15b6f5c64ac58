"""Hardening defaults of the NULL mechanism and the codec, and one regression test per
libzmq CVE class, each driven by a raw-bytes peer (``asyncio.open_connection``).

Every CVE test ends the same way: the server (an aiomq PULL) still serves a good peer's
message within one second. See docs for the list of defaults and their tests.

* CVE-2019-6250 (frame-size overflow): LONG sizes near 2**63 and 2**64.
* CVE-2019-13132 (metadata overflow): READY property lengths near 2**31 and 2**32.
* CVE-2020-15166 (unauthenticated peers starving real ones): 1,000 stalled handshakes.
* CVE-2014-7203 (CURVE nonce replay): CURVE-only, tested with the CURVE mechanism.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sys
import tracemalloc
from collections.abc import AsyncIterator

import pytest
from _helpers import EventRecorder, assert_empty

import aiomq
from aiomq import _session

pytestmark = pytest.mark.timeout(60)

Event = aiomq.Event

GREETING = b"\xff" + b"\x00" * 8 + b"\x7f\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
assert len(GREETING) == 64


def _command(body: bytes) -> bytes:
    if len(body) < 256:
        return bytes((0x04, len(body))) + body
    return b"\x06" + len(body).to_bytes(8, "big") + body


def _prop(name: bytes, value: bytes, declared: int | None = None) -> bytes:
    size = len(value) if declared is None else declared
    return bytes((len(name),)) + name + size.to_bytes(4, "big") + value


def _ready(*props: bytes) -> bytes:
    return _command(b"\x05READY" + b"".join(props))


READY_PUSH = _ready(_prop(b"Socket-Type", b"PUSH"))


def _long(flags: int, size: int) -> bytes:
    return bytes((flags,)) + size.to_bytes(8, "big")


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


async def _close_raw(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def _read_until_dropped(reader: asyncio.StreamReader, within: float) -> bytes:
    received = bytearray()
    async with asyncio.timeout(within):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionError:
                return bytes(received)
            if not chunk:
                return bytes(received)
            received += chunk


async def _good_peer_served_within_one_second(ctx: aiomq.Context, endpoint: str) -> None:
    """A fresh PUSH's message reaches the PULL at ``endpoint`` within one second."""
    pull = _pulls[endpoint]
    push = ctx.socket(aiomq.PUSH)
    push.connect(endpoint)
    try:
        await push.send_multipart([b"good", b"peer"])
        assert await asyncio.wait_for(pull.recv_multipart(), 1.0) == [b"good", b"peer"]
    finally:
        push.close(linger=0)


_pulls: dict[str, aiomq.Socket] = {}


@pytest.fixture
async def pull(ctx: aiomq.Context) -> AsyncIterator[aiomq.Socket]:
    """A PULL bound to a fresh tcp endpoint (the server under attack)."""
    sock = ctx.socket(aiomq.PULL)
    sock.bind("tcp://127.0.0.1:*")
    _pulls[sock.last_endpoint.decode()] = sock
    try:
        yield sock
    finally:
        _pulls.pop(sock.last_endpoint.decode(), None)


async def _attack(endpoint: str, data: bytes, *, dropped: bool) -> None:
    """Write ``data`` from a raw peer; check it is dropped (or, if not, still open)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(endpoint))
    try:
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        if dropped:
            sent = await _read_until_dropped(reader, 5)
            assert sent[:1] in (b"", b"\xff")  # b"": a reset discarded what was unread
        else:
            # The server answered the handshake and keeps waiting for the body.
            await asyncio.wait_for(reader.readexactly(64), 5)
            assert not reader.at_eof()
    finally:
        await _close_raw(writer)


# -- CVE-2019-6250: frame sizes near 2**63 / 2**64 ----------------------------------------

_HUGE_SIZES = {
    "2^64-1": 2**64 - 1,
    "2^64-9-wraps-past-header": 2**64 - 9,
    "2^64-64-wraps-to-greeting": 2**64 - 64,
    "2^63": 2**63,
    "2^63+1": 2**63 + 1,
    "2^63-1": 2**63 - 1,
    "2^63-9": 2**63 - 9,
}


@pytest.mark.parametrize("flags", [0x02, 0x03], ids=["last", "more"])
@pytest.mark.parametrize("size", list(_HUGE_SIZES.values()), ids=list(_HUGE_SIZES))
async def test_cve_2019_6250_huge_long_frame_after_handshake(
    ctx: aiomq.Context, pull: aiomq.Socket, size: int, flags: int
) -> None:
    # Sizes of 2**63 and more are refused from the header. Smaller ones are legal ZMTP
    # without MAXMSGSIZE: the server waits for the body without allocating it.
    data = GREETING + READY_PUSH + b"\x01\x01a" + _long(flags, size) + b"x" * 100
    await _attack(pull.last_endpoint.decode(), data, dropped=size >= 2**63)
    await _good_peer_served_within_one_second(ctx, pull.last_endpoint.decode())
    await assert_empty(pull)


@pytest.mark.parametrize("size", list(_HUGE_SIZES.values()), ids=list(_HUGE_SIZES))
async def test_cve_2019_6250_huge_long_frame_over_maxmsgsize(
    ctx: aiomq.Context, pull: aiomq.Socket, size: int
) -> None:
    pull.maxmsgsize = 1 << 16
    events = EventRecorder(pull)
    await _attack(
        pull.last_endpoint.decode(), GREETING + READY_PUSH + _long(0x02, size), dropped=True
    )
    await events.wait_for(Event.DISCONNECTED)
    await _good_peer_served_within_one_second(ctx, pull.last_endpoint.decode())


@pytest.mark.parametrize("flags", [0x02, 0x06], ids=["data", "command"])
@pytest.mark.parametrize("size", list(_HUGE_SIZES.values()), ids=list(_HUGE_SIZES))
async def test_cve_2019_6250_huge_long_frame_in_handshake(
    ctx: aiomq.Context, pull: aiomq.Socket, size: int, flags: int
) -> None:
    events = EventRecorder(pull)
    await _attack(pull.last_endpoint.decode(), GREETING + _long(flags, size), dropped=True)
    await events.wait_for(Event.HANDSHAKE_FAILED_PROTOCOL)
    await _good_peer_served_within_one_second(ctx, pull.last_endpoint.decode())


# -- CVE-2019-13132: metadata property lengths near 2**31 / 2**32 ---------------------------

_HOSTILE_READY = {
    "value-len-2^32-1": _ready(_prop(b"Socket-Type", b"PUSH", declared=2**32 - 1)),
    "value-len-2^31": _ready(_prop(b"Socket-Type", b"PUSH", declared=2**31)),
    "value-len-2^31-1": _ready(_prop(b"Socket-Type", b"PUSH", declared=2**31 - 1)),
    "value-len-2^32-wraps-to-start": _ready(
        _prop(b"Socket-Type", b"PUSH"), _prop(b"X-A", b"", declared=2**32 - 10)
    ),
    "name-len-255-truncated": _command(b"\x05READY" + b"\xff" + b"N" * 20),
    "value-len-truncated": _command(b"\x05READY\x0bSocket-Type\x00\x00"),
    "long-ready-2^32": _long(0x06, 2**32) + b"\x05READY",
    "long-ready-over-64KiB": _long(0x06, 65537) + b"\x05READY",
    "ready-64KiB-plus-1-of-metadata": _command(
        b"\x05READY" + _prop(b"Socket-Type", b"PUSH") + _prop(b"X-Big", b"b" * 65501)
    ),
}


@pytest.mark.parametrize("ready", list(_HOSTILE_READY.values()), ids=list(_HOSTILE_READY))
async def test_cve_2019_13132_hostile_ready_metadata(
    ctx: aiomq.Context, pull: aiomq.Socket, ready: bytes
) -> None:
    events = EventRecorder(pull)
    await _attack(pull.last_endpoint.decode(), GREETING + ready, dropped=True)
    await events.wait_for(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert events.count(Event.HANDSHAKE_SUCCEEDED) == 0
    await _good_peer_served_within_one_second(ctx, pull.last_endpoint.decode())


async def test_metadata_up_to_the_handshake_command_cap_is_accepted(
    ctx: aiomq.Context, pull: aiomq.Socket
) -> None:
    body = b"\x05READY" + _prop(b"Socket-Type", b"PUSH")
    body += _prop(b"X-Big", b"b" * (65536 - len(body) - 10))
    assert len(body) == 65536
    events = EventRecorder(pull)
    _, writer = await asyncio.open_connection("127.0.0.1", _port(pull.last_endpoint.decode()))
    try:
        writer.write(GREETING + _command(body) + b"\x00\x02ok")
        await events.wait_for(Event.HANDSHAKE_SUCCEEDED)
        assert await asyncio.wait_for(pull.recv(), 5) == b"ok"
    finally:
        await _close_raw(writer)


# -- routing: a peer joins only after its handshake ----------------------------------------


async def test_stalled_peer_is_not_routed_to(ctx: aiomq.Context) -> None:
    push = ctx.socket(aiomq.PUSH)
    push.bind("tcp://127.0.0.1:*")
    events = EventRecorder(push)
    stalled = [
        await asyncio.open_connection("127.0.0.1", _port(push.last_endpoint.decode()))
        for _ in range(3)
    ]
    try:
        for (_, writer), stage in zip(stalled, (b"", GREETING[:20], GREETING), strict=True):
            writer.write(stage)
        await events.wait_for(Event.ACCEPTED, 3)
        good = ctx.socket(aiomq.PULL)
        good.connect(push.last_endpoint.decode())
        await events.wait_for(Event.HANDSHAKE_SUCCEEDED)
        # Round robin over every accepted connection would strand 3 of every 4 messages.
        for i in range(20):
            await asyncio.wait_for(push.send(b"%d" % i), 1)
        for i in range(20):
            assert await asyncio.wait_for(good.recv(), 1) == b"%d" % i
    finally:
        for _, writer in stalled:
            await _close_raw(writer)


# -- reconnecting after an ERROR refusal backs off exponentially ------------------------


@contextlib.asynccontextmanager
async def _refusing_server(reply: bytes) -> AsyncIterator[tuple[str, list[int]]]:
    """A raw ZMTP server answering every connection with ``reply`` after the greeting."""
    accepted: list[int] = [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted[0] += 1
        writer.write(GREETING + reply)
        with contextlib.suppress(ConnectionError):
            await reader.read()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        yield f"tcp://127.0.0.1:{port}", accepted
    finally:
        server.close()
        await server.wait_closed()


class _RetryRecorder:
    def __init__(self, sock: aiomq.Socket) -> None:
        self.delays: list[int] = []
        self.events: list[aiomq.Event] = []
        self.changed = asyncio.Event()
        sock.add_monitor_listener(self._record)

    def _record(self, event: aiomq.Event, endpoint: str, value: int | str) -> None:
        self.events.append(event)
        if event == Event.CONNECT_RETRIED:
            assert isinstance(value, int)
            self.delays.append(value)
            self.changed.set()

    async def wait_retries(self, count: int) -> list[int]:
        async with asyncio.timeout(10):
            while len(self.delays) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.delays[:count]


_ERROR_INVALID_TYPE = _command(b"\x05ERROR\x13Invalid socket type")
_ERROR_400 = _command(b"\x05ERROR\x03400")


@pytest.mark.parametrize(
    ("reply", "failure"),
    [
        (_ERROR_INVALID_TYPE, Event.HANDSHAKE_FAILED_PROTOCOL),
        (_ERROR_400, Event.HANDSHAKE_FAILED_AUTH),
        (_ready(_prop(b"Socket-Type", b"PULL")) + _ERROR_400, Event.HANDSHAKE_FAILED_AUTH),
    ],
    ids=["socket-type", "zap-400", "ready-then-400"],
)
async def test_error_refusal_backs_off_exponentially(
    ctx: aiomq.Context, reply: bytes, failure: aiomq.Event
) -> None:
    async with _refusing_server(reply) as (endpoint, _):
        push = ctx.socket(aiomq.PUSH)
        push.reconnect_ivl = 10
        push.reconnect_ivl_max = 25  # the refusal backoff goes beyond RECONNECT_IVL_MAX
        retries = _RetryRecorder(push)
        push.connect(endpoint)
        delays = await retries.wait_retries(5)
        push.close(linger=0)
    assert delays == [10, 20, 40, 80, 160]
    assert failure in retries.events


async def test_refusal_backoff_is_capped(
    ctx: aiomq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_session, "REFUSED_RECONNECT_IVL_MAX", 40)
    async with _refusing_server(_ERROR_400) as (endpoint, _):
        push = ctx.socket(aiomq.PUSH)
        push.reconnect_ivl = 10
        retries = _RetryRecorder(push)
        push.connect(endpoint)
        delays = await retries.wait_retries(5)
        push.close(linger=0)
    assert delays == [10, 20, 40, 40, 40]


async def test_plain_hang_up_keeps_the_reconnect_interval(ctx: aiomq.Context) -> None:
    # No ERROR: a close is temporary (RFC 37), so RECONNECT_IVL applies unchanged.
    async with _refusing_server(b"") as (endpoint, _):
        push = ctx.socket(aiomq.PUSH)
        push.reconnect_ivl = 10
        push.handshake_ivl = 50
        retries = _RetryRecorder(push)
        push.connect(endpoint)
        delays = await retries.wait_retries(3)
        push.close(linger=0)
    assert delays == [10, 10, 10]


async def test_completed_handshake_resets_the_refusal_backoff(ctx: aiomq.Context) -> None:
    replies = [_ERROR_400, _ERROR_400, _ERROR_400, _ready(_prop(b"Socket-Type", b"PULL"))]
    handshakes = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        reply = replies.pop(0) if replies else _ERROR_400
        writer.write(GREETING + reply)
        if not reply.startswith(_ERROR_400):
            handshakes.set()
            await reader.readexactly(64)
            writer.close()  # hang up after the handshake: a temporary failure
            return
        with contextlib.suppress(ConnectionError):
            await reader.read()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        push = ctx.socket(aiomq.PUSH)
        push.reconnect_ivl = 10
        retries = _RetryRecorder(push)
        push.connect(f"tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        delays = await retries.wait_retries(6)
        push.close(linger=0)
    finally:
        server.close()
        await server.wait_closed()
    # Three refusals double the delay; the handshake resets it; refusals double it again.
    assert delays == [10, 20, 40, 10, 10, 20]


# -- CVE-2020-15166: 1,000 stalled handshakes ---------------------------------------------

_STALLED = 1000
_MEMORY_BUDGET = 16 << 20


def _raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {wanted} fds needed")
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as exc:
        pytest.skip(f"cannot raise RLIMIT_NOFILE to {wanted}: {exc}")


async def test_cve_2020_15166_stalled_handshakes_neither_starve_nor_bloat(
    ctx: aiomq.Context,
) -> None:
    _raise_fd_limit(2 * _STALLED + 512)
    pull = ctx.socket(aiomq.PULL)
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    await events.wait_for(Event.LISTENING)
    script = os.path.join(os.path.dirname(__file__), "_stall_peers.py")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            script,
            str(_port(pull.last_endpoint.decode())),
            str(_STALLED),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 30)
            assert line == b"ready\n", "the stalling peers did not get their answers"
            await events.wait_for(Event.ACCEPTED, _STALLED, timeout=10)
            used = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            print(f"{_STALLED} stalled peers: {used} octets traced")
            assert used <= _MEMORY_BUDGET, f"{_STALLED} stalled peers cost {used} octets"
            assert events.count(Event.HANDSHAKE_SUCCEEDED) == 0

            # A legitimate client is served at once and exchanges 1,000 messages quickly.
            loop = asyncio.get_running_loop()
            started = loop.time()
            push = ctx.socket(aiomq.PUSH)
            push.connect(pull.last_endpoint.decode())
            await push.send(b"first")
            assert await asyncio.wait_for(pull.recv(), 1.0) == b"first"

            async def produce() -> None:
                for i in range(1000):
                    await push.send_multipart([b"%d" % i, b"x" * 64])

            producer = asyncio.create_task(produce())
            async with asyncio.timeout(5):
                for i in range(1000):
                    assert await pull.recv_multipart() == [b"%d" % i, b"x" * 64]
                await producer
            elapsed = loop.time() - started
            assert elapsed < 5
            assert events.count(Event.HANDSHAKE_SUCCEEDED) == 1
            assert events.count(Event.HANDSHAKE_FAILED_NO_DETAIL) == 0
        finally:
            assert child.stdin is not None
            child.stdin.close()
            await asyncio.wait_for(child.wait(), 10)
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
