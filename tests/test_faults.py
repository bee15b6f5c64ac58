"""Fault tolerance: restarted peers, early senders, hostile bytes, cancellation, limits.

Every test runs on the default loop and on uvloop (see conftest.py). Nothing sleeps to
wait for a condition: waits are for messages, monitor events or EOF, each bounded by a
deadline. The only fixed waits are the short deadlines that *must* expire (a send
blocked on a full queue, a handshake deadline that must not fire).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _helpers import EventRecorder, assert_empty, unused_tcp_endpoint

import aiomq

pytestmark = pytest.mark.timeout(30)

Event = aiomq.Event

# -- hand-built wire bytes (independent of aiomq's codec) -----------------------------

# The 64-octet ZMTP 3.1 NULL greeting: signature, version 3.1, mechanism, as-server, filler.
GREETING = (
    b"\xff"
    + b"\x00" * 8
    + b"\x7f"
    + bytes((3, 1))
    + b"NULL".ljust(20, b"\x00")
    + b"\x00"
    + b"\x00" * 31
)
assert len(GREETING) == 64


def _command(body: bytes) -> bytes:
    assert len(body) < 256
    return bytes((0x04, len(body))) + body


def _ready(socket_type: bytes, declared_len: int | None = None) -> bytes:
    """A READY command frame; ``declared_len`` overrides the Socket-Type value length."""
    size = len(socket_type) if declared_len is None else declared_len
    return _command(b"\x05READY" + b"\x0bSocket-Type" + size.to_bytes(4, "big") + socket_type)


def _long_header(flags: int, size: int) -> bytes:
    return bytes((flags,)) + size.to_bytes(8, "big")


READY_PUSH = _ready(b"PUSH")


@dataclass(frozen=True)
class Garbage:
    """Bytes a hostile or broken client writes to a PULL's tcp endpoint."""

    name: str
    data: bytes
    after_handshake: bool = False  # dropped as DISCONNECTED rather than a failed handshake
    needs_maxmsgsize: bool = False  # only refused when the server sets MAXMSGSIZE


GARBAGE = [
    Garbage("http", b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"),
    Garbage("zeros-64k", bytes(65536)),
    *(Garbage(f"random-{seed}", random.Random(seed).randbytes(4096)) for seed in range(3)),
    Garbage("long-2^63-in-handshake", GREETING + _long_header(0x02, 2**63)),
    Garbage("long-command-2^63-in-handshake", GREETING + _long_header(0x06, 2**63)),
    Garbage(
        "long-2^63-after-ready",
        GREETING + READY_PUSH + _long_header(0x02, 2**63),
        after_handshake=True,
    ),
    Garbage(
        "long-2^63-1-over-maxmsgsize",
        GREETING + READY_PUSH + _long_header(0x02, 2**63 - 1),
        after_handshake=True,
        needs_maxmsgsize=True,
    ),
    Garbage(
        "long-more-2^63-1-over-maxmsgsize",
        GREETING + READY_PUSH + _long_header(0x03, 2**63 - 1),
        after_handshake=True,
        needs_maxmsgsize=True,
    ),
    Garbage("ready-property-overrun", GREETING + _ready(b"PUSH", declared_len=1000)),
]

_MAXMSGSIZE = 1 << 20

# -- helpers ------------------------------------------------------------------------


@pytest.fixture
def ipc_dir() -> Iterator[str]:
    """A short temporary directory for ipc socket files (sun_path is ~107 octets)."""
    path = tempfile.mkdtemp(prefix="aiomq-faults-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _unbound_endpoint(transport: str, ipc_dir: str) -> str:
    """An endpoint nobody listens on yet."""
    if transport == "tcp":
        return unused_tcp_endpoint()
    if transport == "ipc":
        return f"ipc://{ipc_dir}/peer"
    return "inproc://faults-peer"


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


async def _open_raw(endpoint: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", _port(endpoint))


async def _write_ignoring_reset(writer: asyncio.StreamWriter, data: bytes) -> None:
    """Write ``data``; the server may already have dropped us, which is fine."""
    writer.write(data)
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _read_until_dropped(reader: asyncio.StreamReader, within: float) -> bytes:
    """Read until the server closes the connection (EOF or reset); return what it sent.

    Raises:
        TimeoutError: The connection is still open after ``within`` seconds.
    """
    received = bytearray()
    async with asyncio.timeout(within):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionError:  # closed with our bytes unread: RST instead of FIN
                return bytes(received)
            if not chunk:
                return bytes(received)
            received += chunk


async def _close_raw(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


def _assert_zmtp_greeting_prefix(sent: bytes) -> None:
    """What a dropped server had sent is (a prefix of) a ZMTP 3 greeting, nothing else."""
    assert sent[:1] in (b"", b"\xff")
    if len(sent) >= 11:
        assert sent[9] & 1
        assert sent[10] == 3


# -- a peer restarted three times ---------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_peer_restarted_three_times_is_reconnected_each_time(
    ctx: aiomq.Context, transport: str
) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else "ipc://*")
    endpoint = pull.last_endpoint.decode()
    push = ctx.socket(aiomq.PUSH)
    push.reconnect_ivl = 10
    events = EventRecorder(push)
    push.connect(endpoint)
    received: list[bytes] = []
    try:
        for generation in range(4):
            if generation:
                await pull.aclose(linger=0)
                # Until the PUSH saw the drop, a message could go into the dead connection.
                await events.wait_for(Event.DISCONNECTED, generation)
                pull = ctx.socket(aiomq.PULL)
                pull.bind(endpoint)
                assert pull.last_endpoint.decode() == endpoint
            await push.send(b"generation-%d" % generation)
            received.append(await asyncio.wait_for(pull.recv(), 5))
            await assert_empty(pull)
    finally:
        if transport == "ipc":
            shutil.rmtree(os.path.dirname(endpoint.removeprefix("ipc://")), ignore_errors=True)
    assert received == [b"generation-0", b"generation-1", b"generation-2", b"generation-3"]
    assert events.count(Event.DISCONNECTED) == 3
    assert events.count(Event.HANDSHAKE_SUCCEEDED) == 4


# -- messages sent before the peer exists ---------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
async def test_messages_sent_before_the_peer_binds_all_arrive_in_order(
    ctx: aiomq.Context, transport: str, ipc_dir: str
) -> None:
    endpoint = _unbound_endpoint(transport, ipc_dir)
    push = ctx.socket(aiomq.PUSH)
    push.reconnect_ivl = 10
    push.connect(endpoint)
    # Sizes cross the short/long frame boundary (255 octets).
    expected = [[b"%d" % i, b"x" * (i * 5)] for i in range(100)]
    for message in expected:
        await asyncio.wait_for(push.send_multipart(message), 5)
    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    received: list[list[bytes]] = []
    async with asyncio.timeout(10):
        for _ in expected:
            received.append(await pull.recv_multipart())
    assert received == expected
    await assert_empty(pull)


# -- garbage from raw TCP clients -----------------------------------------------------


@pytest.mark.parametrize("garbage", GARBAGE, ids=[g.name for g in GARBAGE])
async def test_garbage_client_is_dropped(ctx: aiomq.Context, garbage: Garbage) -> None:
    pull = ctx.socket(aiomq.PULL)
    if garbage.needs_maxmsgsize:
        pull.maxmsgsize = _MAXMSGSIZE
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    reader, writer = await _open_raw(pull.last_endpoint.decode())
    try:
        await _write_ignoring_reset(writer, garbage.data)
        _assert_zmtp_greeting_prefix(await _read_until_dropped(reader, 5))
    finally:
        await _close_raw(writer)
    if garbage.after_handshake:
        await events.wait_for(Event.DISCONNECTED)
        assert events.count(Event.HANDSHAKE_SUCCEEDED) == 1
        assert events.count(Event.HANDSHAKE_FAILED_PROTOCOL) == 0
    else:
        await events.wait_for(Event.HANDSHAKE_FAILED_PROTOCOL)
        assert events.count(Event.HANDSHAKE_SUCCEEDED) == 0
        assert events.count(Event.DISCONNECTED) == 0
    # The socket is unharmed.
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    await push.send(b"still here")
    assert await asyncio.wait_for(pull.recv(), 5) == b"still here"
    await assert_empty(pull)


async def test_messages_before_a_violation_in_the_same_read_are_delivered(
    ctx: aiomq.Context,
) -> None:
    pull = ctx.socket(aiomq.PULL)
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    reader, writer = await _open_raw(pull.last_endpoint.decode())
    try:
        # One write: handshake, two messages, then a command frame with MORE (illegal).
        writer.write(
            GREETING + READY_PUSH + b"\x01\x01a\x00\x01b" + b"\x00\x01c" + b"\x05\x05\x04PING"
        )
        _assert_zmtp_greeting_prefix(await _read_until_dropped(reader, 5))
    finally:
        await _close_raw(writer)
    assert await asyncio.wait_for(pull.recv_multipart(), 5) == [b"a", b"b"]
    assert await asyncio.wait_for(pull.recv_multipart(), 5) == [b"c"]
    await assert_empty(pull)
    await events.wait_for(Event.DISCONNECTED)
    assert events.count(Event.HANDSHAKE_SUCCEEDED) == 1
    assert events.count(Event.HANDSHAKE_FAILED_PROTOCOL) == 0


async def test_garbage_and_idle_clients_do_not_stop_a_good_peer(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.maxmsgsize = _MAXMSGSIZE
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    endpoint = pull.last_endpoint.decode()

    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    hostile: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        # 200 connections that never greet, opened in batches (the listen backlog is 100).
        for _ in range(4):
            idle += await asyncio.gather(*(_open_raw(endpoint) for _ in range(50)))
        hostile += await asyncio.gather(*(_open_raw(endpoint) for _ in GARBAGE))
        await asyncio.gather(
            *(_write_ignoring_reset(w, g.data) for (_, w), g in zip(hostile, GARBAGE, strict=True))
        )

        push = ctx.socket(aiomq.PUSH)
        push.connect(endpoint)
        await push.send_multipart([b"good", b"peer"])
        assert await asyncio.wait_for(pull.recv_multipart(), 1.0) == [b"good", b"peer"]

        sent = await asyncio.gather(*(_read_until_dropped(r, 5) for r, _ in hostile))
        for data in sent:
            _assert_zmtp_greeting_prefix(data)
        protocol_failures = sum(1 for g in GARBAGE if not g.after_handshake)
        disconnects = sum(1 for g in GARBAGE if g.after_handshake)
        await events.wait_for(Event.HANDSHAKE_FAILED_PROTOCOL, protocol_failures)
        await events.wait_for(Event.DISCONNECTED, disconnects)
        assert events.count(Event.HANDSHAKE_FAILED_PROTOCOL) == protocol_failures
        assert events.count(Event.DISCONNECTED) == disconnects
        assert events.count(Event.HANDSHAKE_SUCCEEDED) == disconnects + 1
        assert events.count(Event.HANDSHAKE_FAILED_NO_DETAIL) == 0
        # Idle connections got the greeting's first stage and are dropped only after
        # HANDSHAKE_IVL (30 s by default).
        async with asyncio.timeout(5):
            for reader, _ in idle:
                assert (await reader.readexactly(11))[:1] == b"\xff"
        assert not any(reader.at_eof() for reader, _ in idle)
        assert events.count(Event.ACCEPTED) == len(idle) + len(hostile) + 1

        await push.send(b"again")
        assert await asyncio.wait_for(pull.recv(), 1.0) == b"again"
        await assert_empty(pull)
    finally:
        await asyncio.gather(*(_close_raw(w) for _, w in idle + hostile))


# -- stalled handshakes ---------------------------------------------------------------

STALLS = {
    "silent": b"",
    "partial-greeting": GREETING[:11],
    "greeting-only": GREETING,
    "partial-ready": GREETING + READY_PUSH[:7],
}


@pytest.mark.parametrize("stall", list(STALLS))
async def test_handshake_ivl_drops_a_stalled_client(ctx: aiomq.Context, stall: str) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.handshake_ivl = 200
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    loop = asyncio.get_running_loop()
    reader, writer = await _open_raw(pull.last_endpoint.decode())
    started = loop.time()
    try:
        await _write_ignoring_reset(writer, STALLS[stall])
        sent = await _read_until_dropped(reader, 5)
        elapsed = loop.time() - started
    finally:
        await _close_raw(writer)
    _assert_zmtp_greeting_prefix(sent)
    assert elapsed >= 0.15, f"dropped after {elapsed:.3f} s, before HANDSHAKE_IVL"
    await events.wait_for(Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert events.count(Event.HANDSHAKE_FAILED_NO_DETAIL) == 1
    assert events.count(Event.HANDSHAKE_FAILED_PROTOCOL) == 0
    assert events.count(Event.HANDSHAKE_SUCCEEDED) == 0
    assert events.count(Event.DISCONNECTED) == 0


async def test_handshake_ivl_does_not_drop_a_peer_after_the_handshake(
    ctx: aiomq.Context,
) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.handshake_ivl = 100
    events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*")
    reader, writer = await _open_raw(pull.last_endpoint.decode())
    try:
        writer.write(GREETING + READY_PUSH)
        await events.wait_for(Event.HANDSHAKE_SUCCEEDED)
        # The deadline would have fired by now if it were still armed.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(reader.readexactly(64 + 1000), 0.4)
        writer.write(b"\x01\x03one\x00\x03two")  # [b"one", b"two"], short frames
        assert await asyncio.wait_for(pull.recv_multipart(), 5) == [b"one", b"two"]
        assert not reader.at_eof()
    finally:
        await _close_raw(writer)
    assert events.count(Event.HANDSHAKE_FAILED_NO_DETAIL) == 0


async def test_handshake_ivl_drops_a_silent_server_and_reconnects(ctx: aiomq.Context) -> None:
    accepted: list[asyncio.StreamWriter] = []
    dropped = 0
    changed = asyncio.Event()

    async def silent_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal dropped
        accepted.append(writer)
        changed.set()
        with contextlib.suppress(ConnectionError):
            await reader.read()  # read what the client sends until it drops us
        dropped += 1
        changed.set()

    server = await asyncio.start_server(silent_server, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        push = ctx.socket(aiomq.PUSH)
        push.handshake_ivl = 200
        push.reconnect_ivl = 10
        events = EventRecorder(push)
        push.connect(f"tcp://127.0.0.1:{port}")
        async with asyncio.timeout(5):
            while dropped < 2:
                changed.clear()
                await changed.wait()
        await events.wait_for(Event.HANDSHAKE_FAILED_NO_DETAIL, 2)
        assert len(accepted) >= 2  # it reconnected after each drop
        assert events.count(Event.HANDSHAKE_SUCCEEDED) == 0
        assert events.count(Event.DISCONNECTED) == 0
        push.close(linger=0)
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


# -- cancellation -----------------------------------------------------------------------


def _connected_pair(ctx: aiomq.Context, transport: str) -> tuple[aiomq.Socket, aiomq.Socket]:
    pull = ctx.socket(aiomq.PULL)
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else "inproc://faults-cancel")
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    return push, pull


_STREAMED = 2000


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
@pytest.mark.parametrize("mode", ["wait_for", "wait_for-frames", "rcvtimeo"])
async def test_cancelled_recv_loses_and_duplicates_nothing(
    ctx: aiomq.Context, transport: str, mode: str
) -> None:
    push, pull = _connected_pair(ctx, transport)
    if mode == "rcvtimeo":
        pull.rcvtimeo = 1
    received: list[int] = []
    interrupted = 0
    progress = asyncio.Event()  # set whenever the consumer received or was interrupted

    async def caught_up(sent: int, interrupted_above: int = -1) -> None:
        """Wait until all ``sent`` messages were received (and recv interrupted again)."""
        while len(received) < sent or interrupted <= interrupted_above:
            progress.clear()
            await progress.wait()

    async def produce() -> None:
        """Stream in bursts of 1-16 messages. After some bursts, keep streaming; after
        others, let recv run dry (and be interrupted) before the next burst, so that
        timeouts hit a recv that is waiting, about to be woken, or just woken."""
        rng = random.Random(2000)
        sent = 0
        while sent < _STREAMED:
            for _ in range(min(rng.randint(1, 16), _STREAMED - sent)):
                await push.send_multipart([b"%d" % sent, b"#%d" % sent])
                sent += 1
            pace = rng.randrange(3)
            if pace == 0:
                await asyncio.sleep(0)  # a yield, not a wait for a condition
            elif pace == 1:
                await caught_up(sent)
            else:
                await caught_up(sent, interrupted_above=interrupted)

    frames: list[bytes] = []

    async def recv_message() -> list[bytes]:
        if mode == "wait_for":
            return await asyncio.wait_for(pull.recv_multipart(), 0.0001)
        if mode == "rcvtimeo":
            return await pull.recv_multipart()
        # Frame by frame: a cancel may hit the first frame's recv or the second's.
        if not pull.getsockopt(aiomq.RCVMORE):
            frames.clear()
        while True:
            frames.append(await asyncio.wait_for(pull.recv(), 0.0001))
            if not pull.getsockopt(aiomq.RCVMORE):
                return list(frames)

    producer = asyncio.create_task(produce())
    try:
        async with asyncio.timeout(20):
            while len(received) < _STREAMED:
                try:
                    message = await recv_message()
                except (TimeoutError, aiomq.Again):
                    interrupted += 1
                    progress.set()
                    continue
                number = int(message[0])
                assert message == [b"%d" % number, b"#%d" % number]
                received.append(number)
                progress.set()
            await producer
    finally:
        producer.cancel()
    assert received == list(range(_STREAMED))
    assert interrupted > 0
    await assert_empty(pull)


def _message(i: int) -> list[bytes]:
    return [b"%d" % i, b"middle", b"last-%d" % i]


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
async def test_cancelled_send_under_full_hwm_queues_all_or_nothing(
    ctx: aiomq.Context, transport: str, ipc_dir: str
) -> None:
    endpoint = _unbound_endpoint(transport, ipc_dir)
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    push.reconnect_ivl = 10
    push.connect(endpoint)  # no peer yet: the queue holds one message
    await asyncio.wait_for(push.send_multipart(_message(0)), 5)
    for i in range(1, 6):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(push.send_multipart(_message(i)), 0.005)
    # SNDMORE frames are held; a cancelled final send keeps them held.
    first, middle, last = _message(6)
    await push.send(first, aiomq.SNDMORE)
    await push.send(middle, aiomq.SNDMORE)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(push.send(last), 0.005)
    with pytest.raises(aiomq.Again):
        await push.send(last, aiomq.DONTWAIT)

    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    await asyncio.wait_for(push.send(last), 5)  # completes message 6
    await asyncio.wait_for(push.send_multipart(_message(7)), 5)
    received: list[list[bytes]] = []
    async with asyncio.timeout(5):
        for _ in range(3):
            received.append(await pull.recv_multipart())
    assert received == [_message(0), _message(6), _message(7)]
    await assert_empty(pull)


async def test_cancelled_sends_racing_a_slow_reader_queue_whole_messages(
    ctx: aiomq.Context,
) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 1
    pull.bind("inproc://faults-race")
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    push.connect("inproc://faults-race")
    completed: list[list[bytes]] = []
    cancelled = 0
    received: list[list[bytes]] = []

    async def read_all() -> None:
        while True:
            message = await pull.recv_multipart()
            if message == [b"end"]:
                return
            received.append(message)

    reader = asyncio.create_task(read_all())
    try:
        async with asyncio.timeout(20):
            for i in range(500):
                try:
                    await asyncio.wait_for(push.send_multipart(_message(i)), 0.0001)
                except TimeoutError:
                    cancelled += 1
                else:
                    completed.append(_message(i))
            await push.send_multipart([b"end"])
            await reader
    finally:
        reader.cancel()
    assert received == completed
    assert len(completed) + cancelled == 500


async def test_cancelled_sends_on_a_stalled_tcp_peer_queue_whole_messages(
    ctx: aiomq.Context,
) -> None:
    """SNDHWM=1 towards a PULL that stops reading: once the kernel buffers fill, sends
    block; the cancelled ones must leave no trace, the completed ones arrive whole."""
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = 1
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = 1
    push.connect(pull.last_endpoint.decode())
    await push.send(b"hello")
    assert await asyncio.wait_for(pull.recv(), 5) == b"hello"
    big = b"x" * (256 * 1024)
    completed: list[int] = []
    cancelled = 0
    async with asyncio.timeout(20):
        for i in range(400):
            try:
                await asyncio.wait_for(push.send_multipart([b"%d" % i, big, b"end"]), 0.05)
            except TimeoutError:
                cancelled += 1
                if cancelled == 3:
                    break
            else:
                completed.append(i)
    assert cancelled == 3, "the peer's buffers never filled up"
    # The end marker can only be queued once the PULL reads again.
    done = asyncio.ensure_future(push.send_multipart([b"done"]))
    received: list[int] = []
    try:
        async with asyncio.timeout(20):
            while True:
                message = await pull.recv_multipart()
                if message == [b"done"]:
                    break
                assert message[1:] == [big, b"end"]
                received.append(int(message[0]))
            await done
    finally:
        done.cancel()
    assert received == completed
    await assert_empty(pull)


# -- MAXMSGSIZE -----------------------------------------------------------------------

_LIMIT = 200
OVERSIZED = {
    "short-frame": [b"s" * (_LIMIT + 1)],  # flags 0x00: the receive fast path
    "long-frame": [b"l" * 1000],
    "multipart-sum": [b"a" * 150, b"b" * 51],  # each frame fits, the message does not
    "long-multipart-sum": [b"c" * 100, b"d" * 100, b"e" * 1000],
}


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("oversized", list(OVERSIZED))
async def test_maxmsgsize_drops_the_offender_and_keeps_good_peers(
    ctx: aiomq.Context, transport: str, oversized: str
) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull.maxmsgsize = _LIMIT
    pull_events = EventRecorder(pull)
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else "ipc://*")
    endpoint = pull.last_endpoint.decode()
    try:
        good = ctx.socket(aiomq.PUSH)
        good.connect(endpoint)
        bad = ctx.socket(aiomq.PUSH)
        bad.reconnect_ivl = 10
        bad_events = EventRecorder(bad)
        bad.connect(endpoint)

        await good.send(b"g" * _LIMIT)  # exactly the limit is fine
        assert await asyncio.wait_for(pull.recv(), 5) == b"g" * _LIMIT
        await bad.send_multipart([b"b" * 100, b"b" * 100])  # 200 in all: fine too
        assert await asyncio.wait_for(pull.recv_multipart(), 5) == [b"b" * 100] * 2

        await bad.send_multipart(OVERSIZED[oversized])
        await pull_events.wait_for(Event.DISCONNECTED)
        await bad_events.wait_for(Event.DISCONNECTED)

        await good.send_multipart([b"after", b"drop"])
        assert await asyncio.wait_for(pull.recv_multipart(), 5) == [b"after", b"drop"]
        # The offender was dropped, not banned: it reconnects and may send again.
        await bad.send(b"small")
        assert await asyncio.wait_for(pull.recv(), 5) == b"small"
        await assert_empty(pull)
        assert pull_events.count(Event.DISCONNECTED) == 1
        assert bad_events.count(Event.HANDSHAKE_SUCCEEDED) == 2
    finally:
        if transport == "ipc":
            shutil.rmtree(os.path.dirname(endpoint.removeprefix("ipc://")), ignore_errors=True)
