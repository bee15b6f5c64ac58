"""Publish-subscribe between aiomq and libzmq (pyzmq), both ways, bind and connect sides.

* aiomq PUB → libzmq SUB and libzmq PUB → aiomq SUB with prefix filters: exactly the
  matching messages arrive, in order, none twice (tcp and ipc, either side bound).
* An aiomq XPUB sees a libzmq SUB's subscriptions, and a libzmq XPUB an aiomq SUB's.
* XSUB/XPUB across the two: subscriptions as messages, upstream messages, no filtering.
* A subscriber keeps receiving after its publisher restarts.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zmq
import zmq.asyncio
from _pubsub_helpers import (  # type: ignore[import-not-found, unused-ignore]
    recv_all_until,
    until_subscribed,
)

import aiomq

from .libzmq_helpers import DEADLINE, MESSAGES, TCP_ANY, AnySocket, Libzmq, assert_empty, linked

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

TOPICS = [b"A", b"\x00\xff", b"news."]
"""What the subscribers subscribe to: text, binary, and a prefix of other topics."""


def stream() -> tuple[list[list[bytes]], list[list[bytes]]]:
    """Messages to publish, and the ones a subscriber to :data:`TOPICS` must get."""
    published: list[list[bytes]] = []
    for n, message in enumerate(MESSAGES):
        for topic in (b"A", b"B", b"\x00\xff", b"\x00", b"news.sport", b"news", b"a"):
            published.append([topic + b"%d" % n, *message])
    published.append([b"A-end"])
    wanted = [m for m in published if any(m[0].startswith(t) for t in TOPICS)]
    return published, wanted


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("publisher", ["aiomq", "libzmq"])
async def test_pub_to_sub(
    ctx: aiomq.Context,
    libzmq: Libzmq,
    publisher: str,
    transport: str,
    aiomq_side: str,
    ipc_dir: Path,
) -> None:
    """aiomq PUB -> libzmq SUB, and libzmq PUB -> aiomq SUB."""
    pub: AnySocket
    sub: AnySocket
    if publisher == "aiomq":
        pub, sub = linked(ctx, libzmq, aiomq.PUB, zmq.SUB, aiomq_side, transport, ipc_dir)
        for topic in TOPICS:
            sub.setsockopt(zmq.SUBSCRIBE, topic)
    else:
        sub, pub = linked(ctx, libzmq, aiomq.SUB, zmq.PUB, aiomq_side, transport, ipc_dir)
        for topic in TOPICS:
            sub.subscribe(topic)
    await until_subscribed(pub, sub, b"A-sync")
    published, wanted = stream()
    for message in published:
        await pub.send_multipart(message)
    assert await recv_all_until(sub, [b"A-end"]) == wanted
    await assert_empty(sub)


async def recv_poking(asock: aiomq.Socket, zsock: zmq.asyncio.Socket) -> bytes:
    """Receive from ``asock`` while making ``zsock`` do its pending work.

    A libzmq socket attaches a new connection, and so sends its subscriptions, only when
    the application calls into it; an idle ``zmq.asyncio`` SUB would never do so.
    """
    async with asyncio.timeout(DEADLINE):
        while True:
            if not zsock.closed:
                zsock.getsockopt(zmq.EVENTS)
            try:
                async with asyncio.timeout(0.02):
                    return await asock.recv()
            except TimeoutError:
                continue


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_aiomq_xpub_sees_libzmq_sub_subscriptions(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    xpub, sub = linked(ctx, libzmq, aiomq.XPUB, zmq.SUB, aiomq_side)
    sub.setsockopt(zmq.SUBSCRIBE, b"A")
    assert await recv_poking(xpub, sub) == b"\x01A"
    sub.setsockopt(zmq.SUBSCRIBE, b"A")  # counted by libzmq's SUB: no news to the XPUB
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    assert await recv_poking(xpub, sub) == b"\x01"
    sub.setsockopt(zmq.UNSUBSCRIBE, b"A")
    sub.setsockopt(zmq.UNSUBSCRIBE, b"")
    assert await recv_poking(xpub, sub) == b"\x00"
    sub.setsockopt(zmq.UNSUBSCRIBE, b"A")
    assert await recv_poking(xpub, sub) == b"\x00A"
    sub.setsockopt(zmq.SUBSCRIBE, b"C")
    sub.setsockopt(zmq.SUBSCRIBE, b"B")
    assert [await recv_poking(xpub, sub) for _ in range(2)] == [b"\x01C", b"\x01B"]
    monitor = libzmq.monitor(sub)
    sub.close(linger=0)
    if aiomq_side == "connect":
        await monitor.wait_for(zmq.EVENT_CLOSED)  # libzmq closes its listener in the background
        # The XPUB keeps its queue for the endpoint and learns that the subscriber left
        # when a new one takes its place.
        sub = libzmq.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"D")
        Libzmq.bind(sub, xpub.last_endpoint.decode())
    # The subscriber left: the XPUB reports its topics as unsubscribed, in byte order.
    assert [await recv_poking(xpub, sub) for _ in range(2)] == [b"\x00B", b"\x00C"]
    if aiomq_side == "connect":
        assert await recv_poking(xpub, sub) == b"\x01D"
    await assert_empty(xpub)


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
async def test_libzmq_xpub_sees_aiomq_sub_subscriptions(
    ctx: aiomq.Context, libzmq: Libzmq, aiomq_side: str
) -> None:
    sub, xpub = linked(ctx, libzmq, aiomq.SUB, zmq.XPUB, aiomq_side)
    xpub.setsockopt(zmq.XPUB_VERBOSER, 1)  # every (un)subscription that reaches it
    sub.subscribe(b"A")
    assert await xpub.recv() == b"\x01A"
    sub.subscribe("A")
    assert await xpub.recv() == b"\x01A"  # every subscribe goes out
    sub.unsubscribe(b"A")  # one left: no cancel yet
    sub.subscribe(b"fence")
    assert await xpub.recv() == b"\x01fence"
    sub.unsubscribe(b"A")
    assert await xpub.recv() == b"\x00A"
    await xpub.send(b"A1")
    await xpub.send(b"fence1")
    assert await sub.recv() == b"fence1"
    await assert_empty(xpub)


async def test_aiomq_xsub_with_libzmq_xpub(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    xpub = libzmq.socket(zmq.XPUB)
    xsub = ctx.socket(aiomq.XSUB)
    xsub.connect(Libzmq.bind(xpub, TCP_ANY))
    await xsub.send(b"\x01A")
    assert await xpub.recv() == b"\x01A"
    await xsub.send_multipart([b"up", b"stream"])
    assert await xpub.recv_multipart() == [b"up", b"stream"]
    await xpub.send(b"A1")
    await xpub.send(b"B1")
    await xpub.send(b"A2")
    assert [await xsub.recv() for _ in range(2)] == [b"A1", b"A2"]
    await xsub.send(b"\x00A")
    assert await xpub.recv() == b"\x00A"


async def test_libzmq_xsub_with_aiomq_xpub(ctx: aiomq.Context, libzmq: Libzmq) -> None:
    xpub = ctx.socket(aiomq.XPUB)
    xpub.bind(TCP_ANY)
    xsub = libzmq.socket(zmq.XSUB)
    xsub.connect(xpub.last_endpoint.decode())
    # libzmq's XSUB sends these as data frames even over ZMTP 3.1.
    await xsub.send(b"\x01A")
    assert await xpub.recv() == b"\x01A"
    await xsub.send_multipart([b"up", b"stream"])
    assert await xpub.recv_multipart() == [b"up", b"stream"]
    await xsub.send(b"\x01")
    assert await xpub.recv() == b"\x01"
    await xpub.send(b"B1")  # the empty subscription matches it; XSUB does not filter
    assert await xsub.recv() == b"B1"
    await xsub.send(b"\x00")
    assert await xpub.recv() == b"\x00"
    await xpub.send(b"B2")
    await xpub.send(b"A2")
    assert await xsub.recv() == b"A2"


async def test_aiomq_sub_resubscribes_to_a_restarted_libzmq_pub(
    ctx: aiomq.Context, libzmq: Libzmq
) -> None:
    pub = libzmq.socket(zmq.PUB)
    endpoint = Libzmq.bind(pub, TCP_ANY)
    sub = ctx.socket(aiomq.SUB)
    sub.reconnect_ivl = 10
    sub.subscribe(b"A")
    sub.connect(endpoint)
    await until_subscribed(pub, sub, b"A-first")
    monitor = libzmq.monitor(pub)
    pub.close(linger=0)
    await monitor.wait_for(zmq.EVENT_CLOSED)  # the port is free again
    xpub = libzmq.socket(zmq.XPUB)
    Libzmq.bind(xpub, endpoint)
    assert await xpub.recv() == b"\x01A"  # sent again without a call from the application
    await xpub.send(b"A-again")
    assert await sub.recv() == b"A-again"


async def test_libzmq_sub_resubscribes_to_a_restarted_aiomq_pub(
    ctx: aiomq.Context, libzmq: Libzmq
) -> None:
    pub = ctx.socket(aiomq.PUB)
    pub.bind(TCP_ANY)
    endpoint = pub.last_endpoint.decode()
    sub = libzmq.socket(zmq.SUB, RECONNECT_IVL=10)
    sub.setsockopt(zmq.SUBSCRIBE, b"A")
    sub.connect(endpoint)
    await until_subscribed(pub, sub, b"A-first")
    await pub.aclose(linger=0)
    pub = ctx.socket(aiomq.PUB)
    pub.bind(endpoint)
    await until_subscribed(pub, sub, b"A-second")
    await pub.send(b"A-again")
    assert await sub.recv() == b"A-again"
