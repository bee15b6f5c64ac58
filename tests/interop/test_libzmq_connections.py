"""Connection life cycle against libzmq: refused peers, and connecting before binding.

* A libzmq PUB is refused by an aiomq PULL at the handshake (Socket-Type mismatch),
  delivers nothing, and leaves the PULL working for a good libzmq PUSH. (That aiomq
  reports it as HANDSHAKE_FAILED_PROTOCOL is an expected failure for now: see the test.)
* A libzmq peer that connects before aiomq binds keeps retrying and then delivers what it
  queued; an aiomq peer that connects before libzmq binds does the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import zmq
import zmq.asyncio

import aiomq

from .libzmq_helpers import (
    AnySocket,
    EventRecorder,
    Libzmq,
    LibzmqMonitor,
    assert_empty,
    bindable,
    ipc_endpoint,
    link,
    numbered,
    recv_n,
    send_all,
    unused_tcp_endpoint,
)

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

QUEUED = 100
"""Messages sent before the peer exists."""


def _not_listening(transport: str, ipc_dir: Path) -> str:
    """A concrete endpoint that nobody listens on yet (for connect-before-bind)."""
    return unused_tcp_endpoint() if transport == "tcp" else ipc_endpoint(ipc_dir)


async def _refuse_libzmq_pub(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> tuple[aiomq.Socket, EventRecorder, LibzmqMonitor]:
    """An aiomq PULL and a libzmq PUB linked to it; returns once the link was refused.

    libzmq checks Socket-Type as soon as aiomq's READY arrives and closes the connection
    silently (no ERROR, and before sending its own READY). A libzmq connecter then gives
    up for good (libzmq does not reconnect after a protocol error); an aiomq connecter
    retries, and is refused each time.
    """
    pull = ctx.socket(aiomq.PULL)
    recorder = EventRecorder(pull)
    pub = libzmq.socket(zmq.PUB)
    pub_monitor = libzmq.monitor(pub)
    link(pull, pub, aiomq_side, transport, ipc_dir)
    if aiomq_side == "bind":
        await pub_monitor.wait_for(zmq.EVENT_DISCONNECTED)
    else:
        await recorder.wait_for(aiomq.Event.CONNECT_RETRIED, count=2)
    for i in range(3):
        await pub.send_multipart([b"from PUB", b"%d" % i])
    return pull, recorder, pub_monitor


async def _good_push_still_works(
    pull: aiomq.Socket, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    push = libzmq.socket(zmq.PUSH)
    if aiomq_side == "bind":
        push.connect(pull.last_endpoint.decode())
    else:
        pull.connect(Libzmq.bind(push, bindable(transport, ipc_dir)))
    good = numbered(5)
    await send_all(push, good)
    assert await recv_n(pull, len(good)) == good
    await assert_empty(pull)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_libzmq_pub_is_refused_by_aiomq_pull(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, aiomq_side: str, ipc_dir: Path
) -> None:
    pull, recorder, pub_monitor = await _refuse_libzmq_pub(
        ctx, libzmq, transport, aiomq_side, ipc_dir
    )
    # Nothing from the PUB reaches the PULL (libzmq's PUB would drop it anyway).
    pull.rcvtimeo = 300
    with pytest.raises(aiomq.Again):
        await pull.recv_multipart()
    pull.rcvtimeo = -1
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 0

    # A compatible libzmq peer on the same PULL still gets through.
    await _good_push_still_works(pull, libzmq, transport, aiomq_side, ipc_dir)
    aiomq_events = [event.name for event, _ in recorder.events]
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1, aiomq_events
    assert pub_monitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 0, pub_monitor.names()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_aiomq_pull_reports_libzmq_pub_hanging_up_mid_handshake(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, ipc_dir: Path
) -> None:
    # libzmq 4.3 closes on the Socket-Type mismatch without ERROR and before its own
    # READY, so aiomq sees a peer hanging up mid-handshake, as libzmq reports it too.
    pull, recorder, _ = await _refuse_libzmq_pub(ctx, libzmq, transport, "bind", ipc_dir)
    # A whole later handshake on the same listener: by then the refused connection's
    # end (which libzmq already reported) has been handled by aiomq too.
    await _good_push_still_works(pull, libzmq, transport, "bind", ipc_dir)
    aiomq_events = [event.name for event, _ in recorder.events]
    assert recorder.count(aiomq.Event.HANDSHAKE_FAILED_NO_DETAIL) == 1, aiomq_events
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1, aiomq_events
    assert recorder.count(aiomq.Event.DISCONNECTED) == 0, aiomq_events


def _pair_or_pipeline(pattern: str, aiomq_sends: bool) -> tuple[aiomq.SocketType, int]:
    """(aiomq type, libzmq type) for a link where aiomq sends, or receives."""
    if pattern == "pair":
        return aiomq.PAIR, zmq.PAIR
    return (aiomq.PUSH, zmq.PULL) if aiomq_sends else (aiomq.PULL, zmq.PUSH)


async def _queued_messages_arrive(
    binder: AnySocket, connecter: AnySocket, messages: list[list[bytes]], pattern: str
) -> None:
    """The ``messages`` the connecter queued reach the binder, exactly; over PAIR the
    binder's answer gets back too."""
    assert await recv_n(binder, QUEUED) == messages
    await assert_empty(binder)
    if pattern == "pair":
        replies = numbered(QUEUED)[::-1]
        await send_all(binder, replies)
        assert await recv_n(connecter, QUEUED) == replies
        await assert_empty(connecter)


@pytest.mark.parametrize("pattern", ["pipeline", "pair"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_libzmq_connects_before_aiomq_binds(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, pattern: str, ipc_dir: Path
) -> None:
    aiomq_type, zmq_type = _pair_or_pipeline(pattern, aiomq_sends=False)
    url = _not_listening(transport, ipc_dir)
    zsock = libzmq.socket(zmq_type)
    zmonitor = libzmq.monitor(zsock)
    zsock.connect(url)
    messages = numbered(QUEUED)
    await send_all(zsock, messages)  # queued by libzmq, which has no connection yet
    await zmonitor.wait_for(zmq.EVENT_CONNECT_RETRIED)  # libzmq really tried and failed

    asock = ctx.socket(aiomq_type)
    recorder = EventRecorder(asock)
    asock.bind(url)
    await _queued_messages_arrive(asock, zsock, messages, pattern)
    await zmonitor.wait_for(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1
    assert zmonitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 1, zmonitor.names()


@pytest.mark.parametrize("pattern", ["pipeline", "pair"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
async def test_aiomq_connects_before_libzmq_binds(
    ctx: aiomq.Context, libzmq: Libzmq, transport: str, pattern: str, ipc_dir: Path
) -> None:
    aiomq_type, zmq_type = _pair_or_pipeline(pattern, aiomq_sends=True)
    url = _not_listening(transport, ipc_dir)
    asock = ctx.socket(aiomq_type)
    recorder = EventRecorder(asock)
    asock.connect(url)
    messages = numbered(QUEUED)
    await send_all(asock, messages)  # queued by aiomq, which has no connection yet
    await recorder.wait_for(aiomq.Event.CONNECT_RETRIED)  # aiomq really tried and failed

    zsock = libzmq.socket(zmq_type)
    zmonitor = libzmq.monitor(zsock)
    Libzmq.bind(zsock, url)
    await _queued_messages_arrive(zsock, asock, messages, pattern)
    await recorder.wait_for(aiomq.Event.HANDSHAKE_SUCCEEDED)
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1
    assert zmonitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 1, zmonitor.names()
