"""LINGER at close, and messages queued before the peer exists: a lingering close flushes
what it holds to a slow peer, LINGER 0 returns at once, and messages sent before the
peer binds arrive in order.

The peer is ``tests/stress/_peer.py`` (a PULL) in a child process, which the tests freeze
with SIGSTOP or start only after the sender was closed. Waits are for the child's
stdout lines and for the close itself, each with a deadline; every child is killed in a
``finally`` block.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import signal

import pytest
from _helpers import unused_tcp_endpoint

import aiomq

from ._peer import Peer
from .conftest import Profile

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals"),
]

MIB = 1 << 20
BIG = random.Random(7).randbytes(4 * MIB)
BIG_LINE = f"big {len(BIG)} {hashlib.sha256(BIG).hexdigest()}"
LINGER = 5000  # ms


async def _frozen_pull(push: aiomq.Socket) -> Peer:
    """A PULL child that ``push`` is connected to (a message went through), then frozen."""
    peer = await Peer.start("pull", "tcp://127.0.0.1:*")
    try:
        push.connect(await peer.ready())
        await push.send(b"0")
        assert await peer.line() == "0"
        peer.signal(signal.SIGSTOP)
    except BaseException:
        await peer.kill()
        raise
    return peer


@pytest.mark.parametrize(
    "peer_state",
    ["frozen", "not-started"],
)
async def test_aclose_with_linger_flushes_4mib_to_a_slow_peer(
    ctx: aiomq.Context, peer_state: str
) -> None:
    """``aclose()`` with LINGER=5000 delivers a queued 4 MiB message whole to a peer that
    starts reading only after ``aclose()`` was called: a PULL frozen with SIGSTOP (and
    resumed then), or one whose process starts, and binds, only then. ``aclose()``
    returns once the message is written, well within LINGER."""
    loop = asyncio.get_running_loop()
    push = ctx.socket(aiomq.PUSH)
    push.linger = LINGER
    peer: Peer | None = None
    closing: asyncio.Task[None] | None = None
    try:
        if peer_state == "frozen":
            peer = await _frozen_pull(push)
        else:
            endpoint = unused_tcp_endpoint()
            push.reconnect_ivl = 20
            push.connect(endpoint)
        await push.send_multipart([b"big", BIG])
        started = loop.time()
        closing = asyncio.create_task(push.aclose())
        await asyncio.sleep(0)  # a yield: aclose() has now closed the socket
        assert push.closed
        assert not closing.done()
        if peer is not None:
            peer.signal(signal.SIGCONT)
        else:
            peer = await Peer.start("pull", endpoint)
            assert await peer.ready() == endpoint
        assert await peer.line(within=2) == BIG_LINE  # 4 MiB takes milliseconds
        await asyncio.wait_for(closing, LINGER / 1000)
        elapsed = loop.time() - started
    finally:
        if closing is not None:
            closing.cancel()
        if peer is not None:
            peer.signal(signal.SIGCONT)
            await peer.kill()
    print(f"\nlinger {peer_state}: 4 MiB flushed, aclose() took {elapsed * 1000:.1f} ms")
    assert elapsed < LINGER / 1000


@pytest.mark.parametrize("peer_state", ["frozen", "absent"])
async def test_aclose_with_linger_0_returns_at_once(ctx: aiomq.Context, peer_state: str) -> None:
    """``aclose(linger=0)`` returns in under 100 ms although 4 MiB messages are queued
    for a peer that never reads: one frozen with SIGSTOP (four messages, 16 MiB, more
    than the kernel buffers take) or one that does not exist."""
    loop = asyncio.get_running_loop()
    push = ctx.socket(aiomq.PUSH)
    push.linger = LINGER  # the argument of aclose() overrides it
    peer: Peer | None = None
    try:
        if peer_state == "frozen":
            peer = await _frozen_pull(push)
            messages = 4
        else:
            push.connect(unused_tcp_endpoint())
            messages = 1
        for _ in range(messages):
            await asyncio.wait_for(push.send_multipart([b"big", BIG]), 5)
        started = loop.time()
        await asyncio.wait_for(push.aclose(linger=0), 5)
        elapsed = loop.time() - started
    finally:
        if peer is not None:
            await peer.kill()
    print(f"\nlinger=0 {peer_state}: aclose() took {elapsed * 1000:.2f} ms")
    assert elapsed < 0.1


@pytest.mark.parametrize("sender", ["open", "closed"])
async def test_connect_first_bind_later_delivers_in_order(
    ctx: aiomq.Context, profile: Profile, sender: str
) -> None:
    """A PUSH connects where nobody listens and queues numbered messages; a PULL process
    binds that endpoint only afterwards and receives every one, in order. With
    ``sender="closed"`` the PUSH was even closed (``aclose()`` with LINGER running)
    before the peer process was started."""
    count = 1000 * profile.scale
    endpoint = unused_tcp_endpoint()
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = count
    push.linger = 10_000
    push.reconnect_ivl = 20
    push.connect(endpoint)
    for n in range(count):
        await asyncio.wait_for(push.send(b"%d" % n), 5)
    closing: asyncio.Task[None] | None = None
    if sender == "closed":
        closing = asyncio.create_task(push.aclose())
        await asyncio.sleep(0)  # a yield: aclose() has now closed the socket
        assert push.closed
    peer = await Peer.start("pull", endpoint)
    try:
        assert await peer.ready() == endpoint
        received = [int(await peer.line()) for _ in range(count)]
        if closing is not None:
            await asyncio.wait_for(closing, 10)
    finally:
        if closing is not None:
            closing.cancel()
        await peer.kill()
    assert received == list(range(count))
