"""Socket monitoring: exact event sequences, the async iterator, libzmq's message form."""

from __future__ import annotations

import asyncio
import errno
from pathlib import Path

import pytest

import aiomq
from aiomq import Event, MonitorEvent
from aiomq._monitor import MonitorStream, encode_event
from aiomq.utils.monitor import MonitorMessage, parse_monitor_message, recv_monitor_message

pytestmark = pytest.mark.timeout(30)

E = Event
# libzmq's failed TCP attempt: the connect is in progress, the connecting socket is
# closed, a retry is scheduled.
FAILED_ATTEMPT = [E.CONNECT_DELAYED, E.CLOSED, E.CONNECT_RETRIED]


async def take_until(stream: MonitorStream, last: Event, timeout: float = 5.0) -> list[Event]:  # noqa: ASYNC109
    """The events up to and including the first ``last``."""
    seen: list[Event] = []
    async with asyncio.timeout(timeout):
        async for ev in stream:
            seen.append(ev.event)
            if ev.event == last:
                return seen
    raise AssertionError(f"monitor ended before {last.name}: {names(seen)}")


async def take_all(stream: MonitorStream, timeout: float = 5.0) -> list[Event]:  # noqa: ASYNC109
    """Every event until the monitor ends."""
    async with asyncio.timeout(timeout):
        return [ev.event async for ev in stream]


def names(events: list[Event]) -> list[str]:
    return [str(event.name) for event in events]


def strip_failed_attempts(events: list[Event]) -> list[Event]:
    """``events`` less leading whole failed attempts (how many depends on timing)."""
    while events[:3] == FAILED_ATTEMPT:
        events = events[3:]
    return events


async def free_tcp_endpoint(ctx: aiomq.Context) -> str:
    """A tcp endpoint nobody listens on (an ephemeral port, bound then released)."""
    probe = ctx.socket(aiomq.PULL)
    probe.bind("tcp://127.0.0.1:*")
    endpoint = probe.last_endpoint.decode()
    await probe.aclose(0)
    return endpoint


# -- the connection layer's sequences ----------------------------------------------------


async def test_connect_before_bind_then_peer_restart(ctx: aiomq.Context) -> None:
    endpoint = await free_tcp_endpoint(ctx)
    push = ctx.socket(aiomq.PUSH)
    push.reconnect_ivl = 20
    events = push.monitor()
    push.connect(endpoint)

    first = await events.__anext__()
    assert first == MonitorEvent(E.CONNECT_DELAYED, endpoint, errno.EINPROGRESS)
    assert await events.__anext__() == MonitorEvent(E.CLOSED, endpoint, 0)
    retried = await events.__anext__()
    assert retried.event == E.CONNECT_RETRIED
    assert isinstance(retried.value, int)
    assert retried.value >= 20  # the interval in ms (plus jitter)

    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    seen = strip_failed_attempts(await take_until(events, E.HANDSHAKE_SUCCEEDED))
    assert seen == [E.CONNECT_DELAYED, E.CONNECTED, E.HANDSHAKE_SUCCEEDED], names(seen)
    await push.send(b"one")
    assert await pull.recv() == b"one"

    # The peer restarts: drop, retries while it is away, reconnect.
    await pull.aclose(0)
    seen = await take_until(events, E.CONNECT_RETRIED)
    assert seen == [E.DISCONNECTED, E.CONNECT_RETRIED], names(seen)
    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    seen = strip_failed_attempts(await take_until(events, E.HANDSHAKE_SUCCEEDED))
    assert seen == [E.CONNECT_DELAYED, E.CONNECTED, E.HANDSHAKE_SUCCEEDED], names(seen)
    await push.send(b"two")
    assert await pull.recv() == b"two"

    push.close(0)
    seen = await take_all(events)
    assert seen == [E.DISCONNECTED, E.MONITOR_STOPPED], names(seen)


async def test_ipc_connect_before_bind(ctx: aiomq.Context, tmp_path: Path) -> None:
    endpoint = f"ipc://{tmp_path / 'late'}"
    push = ctx.socket(aiomq.PUSH)
    push.reconnect_ivl = 20
    events = push.monitor()
    push.connect(endpoint)
    # An IPC connect fails at once: no CONNECT_DELAYED (as libzmq).
    assert await take_until(events, E.CONNECT_RETRIED) == [E.CLOSED, E.CONNECT_RETRIED]
    pull = ctx.socket(aiomq.PULL)
    pull.bind(endpoint)
    seen = await take_until(events, E.HANDSHAKE_SUCCEEDED)
    while seen[:2] == [E.CLOSED, E.CONNECT_RETRIED]:
        seen = seen[2:]
    assert seen == [E.CONNECTED, E.HANDSHAKE_SUCCEEDED], names(seen)
    await events.aclose()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_bind_side_sequence(ctx: aiomq.Context, tmp_path: Path, transport: str) -> None:
    pull = ctx.socket(aiomq.PULL)
    events = pull.monitor()
    pull.bind("tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{tmp_path / 'sock'}")
    endpoint = pull.last_endpoint.decode()
    assert await events.__anext__() == MonitorEvent(E.LISTENING, endpoint, 0)
    push = ctx.socket(aiomq.PUSH)
    push.connect(endpoint)
    seen = await take_until(events, E.HANDSHAKE_SUCCEEDED)
    assert seen == [E.ACCEPTED, E.HANDSHAKE_SUCCEEDED], names(seen)
    await push.aclose(0)
    assert await take_until(events, E.DISCONNECTED) == [E.DISCONNECTED]
    pull.close()
    seen = await take_all(events)
    assert seen == [E.CLOSED, E.MONITOR_STOPPED], names(seen)


async def test_failed_handshake_on_both_sides(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    pull_events = pull.monitor()
    pull.bind("tcp://127.0.0.1:*")
    pub = ctx.socket(aiomq.PUB)  # PUB may not talk to PULL
    pub.reconnect_ivl = 10_000
    pub_events = pub.monitor()
    pub.connect(pull.last_endpoint.decode())
    seen = await take_until(pull_events, E.ACCEPTED)
    assert seen == [E.LISTENING, E.ACCEPTED]
    assert (await pull_events.__anext__()).event == E.HANDSHAKE_FAILED_PROTOCOL
    seen = await take_until(pub_events, E.CONNECT_RETRIED)
    assert seen == [
        E.CONNECT_DELAYED,
        E.CONNECTED,
        E.HANDSHAKE_FAILED_PROTOCOL,
        E.CONNECT_RETRIED,
    ], names(seen)
    assert pull_events.get_nowait() is None
    assert pub_events.get_nowait() is None


async def test_garbage_fails_the_handshake(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    events = pull.monitor()
    pull.bind("tcp://127.0.0.1:*")
    host, port = pull.last_endpoint.decode().removeprefix("tcp://").rsplit(":", 1)
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET / HTTP/1.1\r\n\r\n" + b"x" * 64)
    try:
        seen = await take_until(events, E.HANDSHAKE_FAILED_PROTOCOL)
        assert seen == [E.LISTENING, E.ACCEPTED, E.HANDSHAKE_FAILED_PROTOCOL], names(seen)
    finally:
        writer.close()


async def test_libzmq_peer_with_the_wrong_type(ctx: aiomq.Context) -> None:
    zmq = pytest.importorskip("zmq")
    pull = ctx.socket(aiomq.PULL)
    events = pull.monitor()
    pull.bind("tcp://127.0.0.1:*")
    zctx = zmq.Context()
    zpub = zctx.socket(zmq.PUB)
    zpub.connect(pull.last_endpoint.decode())
    try:
        assert await take_until(events, E.ACCEPTED) == [E.LISTENING, E.ACCEPTED]
        failed = (await events.__anext__()).event
        # libzmq hangs up on the mismatch itself (NO_DETAIL) unless aiomq refused first.
        assert failed in {E.HANDSHAKE_FAILED_NO_DETAIL, E.HANDSHAKE_FAILED_PROTOCOL}
    finally:
        zpub.close(0)
        zctx.term()


# -- the async iterator ---------------------------------------------------------------------


async def test_mask_aclose_and_async_with(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    only = pull.monitor(E.HANDSHAKE_SUCCEEDED | E.MONITOR_STOPPED)
    async with pull.monitor(E.LISTENING | E.ACCEPTED) as some:
        pull.bind("inproc://mask")
        pull.bind("tcp://127.0.0.1:*")
        push = ctx.socket(aiomq.PUSH)
        push.connect(pull.last_endpoint.decode())
        assert await take_until(some, E.ACCEPTED) == [E.LISTENING, E.ACCEPTED]
        assert (await only.__anext__()).event == E.HANDSHAKE_SUCCEEDED
    # Leaving the block stopped it, without MONITOR_STOPPED: it is not in its mask.
    assert await take_all(some) == []
    await only.aclose()
    assert await take_all(only) == [E.MONITOR_STOPPED]
    await only.aclose()  # idempotent


async def test_closing_the_socket_ends_every_monitor(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.DEALER)
    first, second = sock.monitor(), sock.monitor()
    sock.close()
    assert await take_all(first) == [E.MONITOR_STOPPED]
    assert await take_all(second) == [E.MONITOR_STOPPED]
    with pytest.raises(aiomq.ZMQError) as info:
        sock.monitor()
    assert info.value.errno == aiomq.ENOTSOCK


async def test_cancelled_wait_takes_nothing(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    events = pull.monitor()
    waiter = asyncio.ensure_future(events.__anext__())
    await asyncio.sleep(0)  # let it start waiting (a step, not a wait for a condition)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    pull.bind("tcp://127.0.0.1:*")
    async with asyncio.timeout(5):
        assert (await events.__anext__()).event == E.LISTENING
    await events.aclose()


async def test_two_readers_and_a_cancelled_one(ctx: aiomq.Context) -> None:
    pull = ctx.socket(aiomq.PULL)
    events = pull.monitor()
    a = asyncio.ensure_future(events.__anext__())
    b = asyncio.ensure_future(events.__anext__())
    await asyncio.sleep(0)
    a.cancel()
    pull.bind("tcp://127.0.0.1:*")
    async with asyncio.timeout(5):
        assert (await b).event == E.LISTENING
    assert a.cancelled()
    await events.aclose()


async def test_full_buffer_drops_the_oldest(ctx: aiomq.Context) -> None:
    sock = ctx.socket(aiomq.PULL)
    events = sock.monitor(maxlen=2)
    for n in range(4):
        sock._emit(E.CONNECT_RETRIED, "tcp://x:1", n)
    assert events.dropped == 2
    assert [events.get_nowait(), events.get_nowait()] == [
        MonitorEvent(E.CONNECT_RETRIED, "tcp://x:1", 2),
        MonitorEvent(E.CONNECT_RETRIED, "tcp://x:1", 3),
    ]
    assert events.get_nowait() is None
    with pytest.raises(ValueError, match="maxlen"):
        sock.monitor(maxlen=0)
    await events.aclose()


# -- libzmq's message form --------------------------------------------------------------


def test_encoding_is_libzmqs() -> None:
    frames = encode_event(MonitorEvent(E.CONNECT_RETRIED, "tcp://h:1", 250))
    assert frames == [b"\x04\x00\xfa\x00\x00\x00", b"tcp://h:1"]
    assert encode_event(MonitorEvent(E.MONITOR_STOPPED, "", 0)) == [b"\x00\x04\0\0\0\0", b""]


async def test_get_monitor_socket_speaks_pyzmqs_parser(ctx: aiomq.Context) -> None:
    monitor_util = pytest.importorskip("zmq.utils.monitor")
    pull = ctx.socket(aiomq.PULL)
    watcher = pull.get_monitor_socket()
    assert watcher.type == aiomq.PAIR
    pull.bind("tcp://127.0.0.1:*")
    endpoint = pull.last_endpoint.decode().encode()
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    parsed: list[dict[str, object]] = []
    async with asyncio.timeout(5):
        while not parsed or parsed[-1]["event"] != E.HANDSHAKE_SUCCEEDED:
            parsed.append(monitor_util.parse_monitor_message(await watcher.recv_multipart()))
    assert parsed == [
        {"event": E.LISTENING, "value": 0, "endpoint": endpoint},
        {"event": E.ACCEPTED, "value": 0, "endpoint": endpoint},
        {"event": E.HANDSHAKE_SUCCEEDED, "value": 0, "endpoint": endpoint},
    ]
    pull.disable_monitor()
    async with asyncio.timeout(5):
        last = monitor_util.parse_monitor_message(await watcher.recv_multipart())
    assert last == {"event": E.MONITOR_STOPPED, "value": 0, "endpoint": b""}
    pull.disable_monitor()  # nothing left to stop
    watcher.close()


async def test_get_monitor_socket_twice_returns_the_same_socket(
    ctx: aiomq.Context, tmp_path: Path
) -> None:
    """As pyzmq: a second call returns the open monitor socket; once it is closed, a new
    one is made; ``monitor(addr)`` replaces it."""
    push = ctx.socket(aiomq.PUSH)
    first = push.get_monitor_socket(E.CONNECT_RETRIED | E.MONITOR_STOPPED)
    assert push.get_monitor_socket() is first
    push.monitor("inproc://my-monitor", E.CONNECT_RETRIED)  # pyzmq's form replaces it
    second = ctx.socket(aiomq.PAIR)
    second.connect("inproc://my-monitor")
    async with asyncio.timeout(5):
        assert await first.recv_multipart() == [b"\x00\x04\0\0\0\0", b""]
    push.reconnect_ivl = 50
    push.connect(f"ipc://{tmp_path / 'nobody-listens'}")
    async with asyncio.timeout(5):
        frames = await second.recv_multipart()
    assert frames[0][:2] == b"\x04\x00"
    assert int.from_bytes(frames[0][2:], "little") >= 50
    first.close()
    third = push.get_monitor_socket(E.CONNECT_RETRIED)
    assert third is not first
    taken = ctx.socket(aiomq.PAIR)
    taken.bind("inproc://taken")
    third.close()
    with pytest.raises(aiomq.ZMQError) as info:
        push.get_monitor_socket(addr="inproc://taken")
    assert info.value.errno == aiomq.EADDRINUSE
    push.monitor(None)
    push.close(0)
    second.close()


# -- aiomq.utils.monitor: pyzmq's helpers ---------------------------------------------


async def test_recv_monitor_message_decodes_get_monitor_socket(ctx: aiomq.Context) -> None:
    zmq_monitor = pytest.importorskip("zmq.utils.monitor")
    pull = ctx.socket(aiomq.PULL)
    watcher = pull.get_monitor_socket()
    with pytest.raises(aiomq.Again):
        await recv_monitor_message(watcher, aiomq.DONTWAIT)
    pull.bind("tcp://127.0.0.1:*")
    endpoint = pull.last_endpoint.decode().encode()
    push = ctx.socket(aiomq.PUSH)
    push.connect(pull.last_endpoint.decode())
    received: list[MonitorMessage] = []
    async with asyncio.timeout(5):
        while not received or received[-1]["event"] != E.HANDSHAKE_SUCCEEDED:
            received.append(await recv_monitor_message(watcher))
    assert received == [
        {"event": E.LISTENING, "value": 0, "endpoint": endpoint},
        {"event": E.ACCEPTED, "value": 0, "endpoint": endpoint},
        {"event": E.HANDSHAKE_SUCCEEDED, "value": 0, "endpoint": endpoint},
    ]
    for message in received:
        assert type(message["event"]) is Event
        assert type(message["value"]) is int
        assert type(message["endpoint"]) is bytes
    pull.disable_monitor()
    async with asyncio.timeout(5):
        frames = await watcher.recv_multipart()
    stopped = parse_monitor_message(frames)
    assert stopped == {"event": E.MONITOR_STOPPED, "value": 0, "endpoint": b""}
    assert stopped == zmq_monitor.parse_monitor_message(frames)
    watcher.close()


@pytest.mark.parametrize(
    "event",
    [
        MonitorEvent(E.CONNECT_RETRIED, "tcp://127.0.0.1:5555", 250),
        MonitorEvent(E.CONNECT_DELAYED, "tcp://[::1]:1", errno.EINPROGRESS),
        MonitorEvent(E.BIND_FAILED, "ipc:///tmp/x", errno.EADDRINUSE),
        MonitorEvent(E.HANDSHAKE_FAILED_AUTH, "tcp://h:1", 400),
        MonitorEvent(E.DISCONNECTED, "tcp://h:1", 0x7FFFFFFF),
        MonitorEvent(E.MONITOR_STOPPED, "", 0),
    ],
    ids=lambda event: event.event.name,
)
def test_parse_monitor_message_gives_pyzmqs_dict(event: MonitorEvent) -> None:
    zmq_monitor = pytest.importorskip("zmq.utils.monitor")
    frames = encode_event(event)
    parsed = parse_monitor_message(frames)
    assert parsed == zmq_monitor.parse_monitor_message(frames)
    assert parsed == {
        "event": event.event,
        "value": event.value,
        "endpoint": event.endpoint.encode(),
    }


def test_parse_monitor_message_reads_libzmqs_unsigned_value() -> None:
    frames = encode_event(MonitorEvent(E.CLOSED, "tcp://h:1", 0xFFFFFFFF))
    assert parse_monitor_message(frames)["value"] == 0xFFFFFFFF


@pytest.mark.parametrize(
    "frames", [[b"\x01\x00\0\0\0\0"], [b"\x01\x00\0\0\0", b"ep"], [b"\x01\x00\0\0\0\0", b"", b""]]
)
def test_parse_monitor_message_refuses_other_messages(frames: list[bytes]) -> None:
    with pytest.raises(RuntimeError) as info:
        parse_monitor_message(frames)
    assert str(info.value) == f"Invalid event message format: {frames}"
