"""Slow consumers: a PUB drops for a subscriber that does not read and never blocks; a
PUSH blocks on a PULL that does not read and loses nothing.

Every test runs on the default loop and on uvloop (see tests/conftest.py) and takes its
sizes from the ``profile`` fixture. Nothing sleeps to wait for a condition: each wait is
for a message under a deadline. The only waits that must expire are the short send
timeouts (``SNDTIMEO``) that prove a PUSH is blocked.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from _helpers import assert_empty, recv_within  # type: ignore[import-not-found, unused-ignore]

import aiomq
from aiomq._sockets.pubsub import XPubSocket

from ._stress_helpers import TRANSPORTS, Endpoints, StreamCheck, seq, unseq
from .conftest import Profile

pytestmark = pytest.mark.timeout(120)

END = b"END"
"""Not a sequence number (those are 8 bytes): marks the end of a stream."""

PAYLOAD = bytes(2048)
"""What follows the sequence number in a message: big enough to fill kernel buffers
with a few thousand messages rather than millions."""


@pytest.fixture
def short_dir() -> Iterator[str]:
    """A short temporary directory for ipc socket files."""
    path = tempfile.mkdtemp(prefix="aiomq-sc-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


# -- (a) PUB: a slow subscriber loses messages, the publisher never blocks -----------


SNDHWM = 100
BATCH = SNDHWM // 2
"""Messages published between two catch-ups of the fast subscriber (below SNDHWM, so
the fast subscriber's queue never fills and it must get everything)."""


async def _drain_until_end(pub: aiomq.Socket, sub: aiomq.Socket, check: StreamCheck) -> None:
    """Receive ``sub``'s backlog into ``check`` until an ``END`` arrives.

    ``END`` is published again whenever ``sub`` has been idle for 50 ms (its queue may
    have been full when the last one went out), as ``until_subscribed`` does.
    """
    await pub.send(END, aiomq.DONTWAIT)
    async with asyncio.timeout(30):
        while True:
            try:
                frame = (await recv_within(sub, 0.05))[0]
            except TimeoutError:
                await pub.send(END, aiomq.DONTWAIT)
                continue
            if frame == END:
                return
            check.add(unseq(frame))


async def test_slow_subscriber_loses_messages_publisher_never_blocks(
    ctx: aiomq.Context, profile: Profile
) -> None:
    """One publisher (an XPUB, to see the subscriptions arrive; ``SNDHWM`` 100), a SUB
    that stops reading and a SUB that keeps up, over tcp; ``N`` messages of 2 KiB.

    Asserts: no ``send(..., DONTWAIT)`` of the publisher raises ``Again``; no queue of
    the publisher ever holds more than ``SNDHWM`` messages (checked after every send);
    the fast SUB receives all ``N``, once each, in order; the slow SUB receives an
    in-order subsequence without duplicates, at least ``SNDHWM`` of them (the queue
    that filled up), and loses the rest.
    """
    count = 20_000 * profile.scale
    pub = ctx.socket(aiomq.XPUB)
    assert isinstance(pub, XPubSocket)
    pub.sndhwm = SNDHWM
    pub.setsockopt(aiomq.XPUB_VERBOSE, 1)
    pub.bind("tcp://127.0.0.1:*")
    slow = ctx.socket(aiomq.SUB)
    slow.rcvhwm = 10
    fast = ctx.socket(aiomq.SUB)
    for sub in (slow, fast):
        sub.connect(pub.last_endpoint.decode())
        sub.subscribe(b"")
    for _ in range(2):
        assert await recv_within(pub, 10) == [b"\x01"]
    pipes = pub._publisher.distributor.pipes
    assert len(pipes) == 2

    fast_check = StreamCheck()
    deepest = 0
    for first in range(0, count, BATCH):
        last = min(first + BATCH, count)
        for number in range(first, last):
            await pub.send(seq(number) + PAYLOAD, aiomq.DONTWAIT)  # Again would fail
            deepest = max(deepest, *(len(pipe.outbound) for pipe in pipes))
            assert deepest <= SNDHWM, deepest
        for _ in range(first, last):
            fast_check.add(unseq((await recv_within(fast, 10))[0]))
    fast_check.expect(count)
    fast_check.assert_exact()
    await assert_empty(fast)

    slow_check = StreamCheck()
    await _drain_until_end(pub, slow, slow_check)
    slow_check.expect(count)
    print(f"slow SUB: {slow_check.report()}; deepest publisher queue {deepest}")
    assert slow_check.duplicated == slow_check.reordered == 0, slow_check.report()
    assert SNDHWM <= slow_check.received < count, slow_check.report()
    assert slow_check.lost == count - slow_check.received
    assert deepest == SNDHWM  # the slow subscriber's queue did fill up


# -- (b) PUSH: a slow PULL makes the sender block; nothing is lost -----------------


PUSH_SNDHWM = 100
PULL_RCVHWM = 50


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_slow_pull_blocks_push_and_loses_nothing(
    ctx: aiomq.Context, profile: Profile, transport: str, short_dir: str
) -> None:
    """A PUSH (``SNDHWM`` 100, ``SNDTIMEO`` 100 ms) sends 2 KiB sequence-numbered
    messages to a PULL (``RCVHWM`` 50) that does not read, until a send raises
    ``Again``: that takes at least SNDHWM + RCVHWM messages (exactly that over inproc,
    plus what the kernel buffers over tcp/ipc), and a second send raises ``Again`` too.
    Then the PULL drains: it receives exactly the messages sent, once each, in order,
    and nothing else. ``2 * scale`` rounds of this, numbers running on; a last message
    sent after the final drain arrives next.
    """
    rounds = 2 * profile.scale
    pull = ctx.socket(aiomq.PULL)
    pull.rcvhwm = PULL_RCVHWM
    pull.bind(Endpoints(transport, short_dir).bind_address())
    push = ctx.socket(aiomq.PUSH)
    push.sndhwm = PUSH_SNDHWM
    push.sndtimeo = 100
    push.connect(pull.last_endpoint.decode())
    check = StreamCheck()
    sent = 0
    for round_ in range(rounds):
        first = sent
        async with asyncio.timeout(30):
            while True:
                try:
                    await push.send(seq(sent) + PAYLOAD)
                except aiomq.Again:
                    break
                sent += 1
        with pytest.raises(aiomq.Again):
            await push.send(seq(sent) + PAYLOAD)
        blocked_after = sent - first
        if transport == "inproc":
            assert blocked_after == PUSH_SNDHWM + PULL_RCVHWM
        else:
            assert blocked_after >= PUSH_SNDHWM + PULL_RCVHWM
        print(f"{transport} round {round_}: PUSH blocked after {blocked_after} messages")
        for _ in range(blocked_after):
            check.add(unseq((await recv_within(pull, 10))[0]))
        check.expect(sent)
        check.assert_exact()
        await assert_empty(pull)
    await push.send(END)
    assert await recv_within(pull, 10) == [END]
    await assert_empty(pull)
