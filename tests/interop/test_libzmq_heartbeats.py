"""ZMTP heartbeats (PING/PONG) keep an idle aiomq <-> libzmq connection alive.

Each side answers the other's PINGs; with a 200 ms heartbeat timeout a missing PONG (or a
PING that was never sent, under a TTL) would drop the link within a fraction of the idle
period, and the drop would show up as DISCONNECTED / a second handshake on either side.
"""

from __future__ import annotations

import asyncio

import pytest
import zmq
import zmq.asyncio

import aiomq

from .libzmq_helpers import (
    TCP_ANY,
    EventRecorder,
    Libzmq,
    LibzmqMonitor,
    TcpTap,
    assert_empty,
    recv_n,
    send_all,
)

pytestmark = [pytest.mark.interop, pytest.mark.timeout(30)]

IDLE_SECONDS = 2.0
"""How long the link stays idle: forty heartbeat intervals, ten heartbeat timeouts."""


@pytest.mark.parametrize("aiomq_side", ["bind", "connect"])
@pytest.mark.parametrize("heartbeating", ["libzmq", "aiomq"])
async def test_heartbeats_keep_idle_link_alive(
    ctx: aiomq.Context, libzmq: Libzmq, heartbeating: str, aiomq_side: str
) -> None:
    asock = ctx.socket(aiomq.PAIR)
    if heartbeating == "libzmq":
        # libzmq PINGs every 50 ms and drops the link if no frame (PONG) comes back
        # within 200 ms.
        zsock = libzmq.socket(zmq.PAIR, HEARTBEAT_IVL=50, HEARTBEAT_TIMEOUT=200)
    else:
        # aiomq PINGs every 50 ms and drops the link without a PONG within 200 ms; the
        # PING's TTL (500 ms) makes libzmq drop it too should aiomq's PINGs stop.
        asock.setsockopt(aiomq.HEARTBEAT_IVL, 50)
        asock.setsockopt(aiomq.HEARTBEAT_TIMEOUT, 200)
        asock.setsockopt(aiomq.HEARTBEAT_TTL, 500)
        zsock = libzmq.socket(zmq.PAIR)
    recorder = EventRecorder(asock)
    zmonitor = libzmq.monitor(zsock)

    # The peers talk through a relay that records the wire, to count PINGs and PONGs.
    if aiomq_side == "bind":
        asock.bind(TCP_ANY)
        tap = TcpTap(asock.last_endpoint.decode())
        zsock.connect(await tap.start())
    else:
        tap = TcpTap(Libzmq.bind(zsock, TCP_ANY))
        asock.connect(await tap.start())
    try:
        await _idle_link_survives(asock, zsock, recorder, zmonitor)
    finally:
        await tap.close()
    from_aiomq, from_libzmq = (
        (tap.from_server, tap.from_client)
        if aiomq_side == "bind"
        else (tap.from_client, tap.from_server)
    )
    pinger, ponger = (
        (from_libzmq, from_aiomq) if heartbeating == "libzmq" else (from_aiomq, from_libzmq)
    )
    # About 40 PINGs are due in the idle period: at least 10 must be on the wire, answered.
    assert pinger.count(_PING) >= 10
    assert ponger.count(_PONG) >= 10
    assert ponger.count(_PING) == 0  # heartbeats are off on that side


_PING = b"\x04PING"  # name length and name of a PING command
_PONG = b"\x04PONG"


async def _idle_link_survives(
    asock: aiomq.Socket,
    zsock: zmq.asyncio.Socket,
    recorder: EventRecorder,
    zmonitor: LibzmqMonitor,
) -> None:
    """Exchange, stay idle for IDLE_SECONDS, exchange again: still one connection."""
    await send_all(zsock, [[b"hello", b"from libzmq"]])
    assert await recv_n(asock, 1) == [[b"hello", b"from libzmq"]]
    await send_all(asock, [[b"hello", b"from aiomq"]])
    assert await recv_n(zsock, 1) == [[b"hello", b"from aiomq"]]
    await recorder.wait_for(aiomq.Event.HANDSHAKE_SUCCEEDED)
    await zmonitor.wait_for(zmq.EVENT_HANDSHAKE_SUCCEEDED)

    await asyncio.sleep(IDLE_SECONDS)  # the idle period itself, not a wait for a condition

    await send_all(zsock, [[b"still", b"there?"]])
    assert await recv_n(asock, 1) == [[b"still", b"there?"]]
    await send_all(asock, [[b"still", b"here"]])
    assert await recv_n(zsock, 1) == [[b"still", b"here"]]

    # One connection all along: no drop and no reconnect on either side.
    aiomq_events = [event.name for event, _ in recorder.events]
    assert recorder.count(aiomq.Event.DISCONNECTED) == 0, aiomq_events
    assert recorder.count(aiomq.Event.HANDSHAKE_SUCCEEDED) == 1, aiomq_events
    assert zmonitor.count(zmq.EVENT_DISCONNECTED) == 0, zmonitor.names()
    assert zmonitor.count(zmq.EVENT_HANDSHAKE_SUCCEEDED) == 1, zmonitor.names()
    await assert_empty(asock)
    await assert_empty(zsock)
