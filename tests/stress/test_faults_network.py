"""Network faults inside a private network namespace: random loss and a partition lose
nothing, heartbeats reconnect across a partition, and an unanswered connect is retried.

Each test makes its own namespace (the ``netns`` fixture: root, ``ip netns add``; the
test is skipped with the reason where that is not permitted), runs both peers in it over
``lo`` and breaks the network there with nftables rules on the input hook: random loss
(``numgen random mod N``) or a full partition (drop everything on the port). ``tc netem``
is not available on these kernels. No traffic leaves the namespace.

Every stream is sequence-numbered and checked exactly: sent, received, lost, duplicated,
reordered. Nothing sleeps to wait for a condition; the only sleeps are the fault's own
duration and the sender's pacing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import pairwise

import pytest
from _helpers import EventRecorder
from _netns import NetNamespace

import aiomq

from ._stress_helpers import StreamCheck, seq, unseq
from .conftest import Profile

pytestmark = pytest.mark.timeout(90)

PARTITION = 2.0  # seconds the network is cut
HEARTBEATS = {aiomq.HEARTBEAT_IVL: 100, aiomq.HEARTBEAT_TIMEOUT: 500}
FAST_RECONNECT = {aiomq.RECONNECT_IVL: 50, aiomq.CONNECT_TIMEOUT: 200}


def drop_both_ways(netns: NetNamespace, port: int, match: str = "") -> None:
    """Drop the packets to and from tcp ``port`` that also match ``match`` (all: a cut)."""
    netns.nft(
        f"add rule inet faults in tcp dport {port} {match} counter drop",
        f"add rule inet faults in tcp sport {port} {match} counter drop",
    )


def heal(netns: NetNamespace) -> None:
    """Remove every fault rule."""
    netns.nft("flush chain inet faults in")


def port_of(endpoint: str) -> int:
    """The port of a ``tcp://host:port`` endpoint."""
    return int(endpoint.rsplit(":", 1)[1])


@dataclass
class Stream:
    """A paced, sequence-numbered PUSH -> PULL stream and its exact check.

    Attributes:
        check: The receiver's exact figures.
        arrivals: Loop time of every received message, in order.
        sent: Messages handed to ``send`` so far.
    """

    push: aiomq.Socket
    pull: aiomq.Socket
    check: StreamCheck = field(default_factory=StreamCheck)
    arrivals: list[float] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    sent: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def _send(self, per_tick: int) -> None:
        while not self._stop.is_set():
            for _ in range(per_tick):
                await self.push.send(seq(self.sent))
                self.sent += 1
            await asyncio.sleep(0.001)  # pacing, not waiting for a condition

    async def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            number = unseq(await self.pull.recv())
            self.check.add(number)
            self.numbers.append(number)
            self.arrivals.append(loop.time())
            self._progress.set()

    async def received_at_least(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until ``count`` messages arrived."""
        async with asyncio.timeout(timeout):
            while self.check.received < count:
                self._progress.clear()
                await self._progress.wait()

    async def received_number(self, number: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until ``number`` (or a later one) arrived."""
        async with asyncio.timeout(timeout):
            while not self.numbers or self.numbers[-1] < number:
                self._progress.clear()
                await self._progress.wait()

    def first_arrival_after(self, moment: float) -> float:
        """Seconds from ``moment`` to the first arrival after it."""
        return next(t for t in self.arrivals if t > moment) - moment

    def gaps(self) -> list[tuple[int, int]]:
        """Each run of missing numbers in the received order, as (after, before)."""
        return [(a, b) for a, b in pairwise(self.numbers) if b != a + 1]

    @asynccontextmanager
    async def running(self, per_tick: int = 5) -> AsyncIterator[None]:
        """Send and receive in the background for the ``with`` block."""
        async with asyncio.TaskGroup() as group:
            receiver = group.create_task(self._receive())
            sender = group.create_task(self._send(per_tick))
            try:
                yield
            finally:
                self._stop.set()
                await sender
                self.check.expect(self.sent)
                try:
                    if self.sent:
                        await self.received_number(self.sent - 1, timeout=15)
                finally:
                    receiver.cancel()


async def stream_pair(
    ctx: aiomq.Context, options: dict[aiomq.SocketOption, int] | None = None
) -> tuple[Stream, int]:
    """A PULL bound on ``127.0.0.1:*`` and a PUSH connected to it, both with ``options``."""
    pull = ctx.socket(aiomq.PULL)
    push = ctx.socket(aiomq.PUSH)
    for sock in (pull, push):
        for option, value in (options or {}).items():
            sock.setsockopt(option, value)
    pull.bind("tcp://127.0.0.1:*")
    endpoint = pull.last_endpoint.decode()
    push.connect(endpoint)
    return Stream(push, pull), port_of(endpoint)


async def test_random_loss_loses_nothing(
    ctx: aiomq.Context, netns: NetNamespace, profile: Profile
) -> None:
    """10 % of the packets both ways are dropped: TCP repairs, the stream is exact."""
    messages = 20_000 * profile.scale
    with netns.entered():
        stream, port = await stream_pair(ctx)
        netns.input_chain()
        drop_both_ways(netns, port, "numgen random mod 10 == 0")
        async with stream.running(per_tick=50):
            await stream.received_at_least(messages, timeout=60)
        dropped = netns.dropped()
    print(f"\n10 % loss: {stream.check.report()} packets dropped={dropped}")
    assert dropped > 0
    stream.check.assert_exact()


async def test_partition_heals_without_loss(ctx: aiomq.Context, netns: NetNamespace) -> None:
    """A 2 s partition with default options: TCP rides it out, nothing lost or repeated."""
    with netns.entered():
        stream, port = await stream_pair(ctx)
        netns.input_chain()
        loop = asyncio.get_running_loop()
        async with stream.running():
            await stream.received_at_least(500, timeout=10)
            drop_both_ways(netns, port)
            await asyncio.sleep(PARTITION)  # the fault's duration
            dropped = netns.dropped()
            heal(netns)
            healed = loop.time()
            await stream.received_at_least(stream.check.received + 1, timeout=10)
    resumed = stream.first_arrival_after(healed)
    print(f"\npartition: {stream.check.report()} dropped={dropped} resumed after {resumed:.3f} s")
    assert dropped > 0
    stream.check.assert_exact()


async def test_partition_with_heartbeats_reconnects(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    """With heartbeats shorter than the partition, both sides drop the dead connection,
    the PUSH reconnects by itself once the network heals, and the stream goes on with
    no duplicates and no reordering; the only loss is one gap at the cut (what sat in
    the dead connection's buffers), and the session's queue survives."""
    with netns.entered():
        stream, port = await stream_pair(ctx, {**HEARTBEATS, **FAST_RECONNECT})
        events = EventRecorder(stream.push)
        netns.input_chain()
        loop = asyncio.get_running_loop()
        async with stream.running():
            await stream.received_at_least(500, timeout=10)
            drop_both_ways(netns, port)
            await events.wait_for(aiomq.Event.DISCONNECTED, timeout=2)
            await asyncio.sleep(PARTITION)  # the fault's duration
            heal(netns)
            healed = loop.time()
            await events.wait_for(aiomq.Event.HANDSHAKE_SUCCEEDED, count=2, timeout=2)
            await stream.received_at_least(stream.check.received + 1, timeout=2)
    resumed = stream.first_arrival_after(healed)
    check = stream.check
    gaps = stream.gaps()
    print(f"\npartition + heartbeats: {check.report()} gaps={gaps} resumed={resumed:.3f} s")
    assert (check.duplicated, check.reordered) == (0, 0), check.report()
    assert len(gaps) <= 1, gaps
    assert check.received + check.lost == check.sent
    assert resumed < 1.0
    assert events.count(aiomq.Event.DISCONNECTED) == 1


async def test_connect_timeout_retries_an_unanswered_connect(
    ctx: aiomq.Context, netns: NetNamespace
) -> None:
    """A SYN that is never answered: CONNECT_TIMEOUT abandons the attempt and retries,
    so the connection comes up as soon as the network does (not at the next SYN
    retransmission, a second or more later)."""
    with netns.entered():
        pull = ctx.socket(aiomq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        netns.input_chain()
        netns.nft(
            f"add rule inet faults in tcp dport {port_of(pull.last_endpoint.decode())} counter drop"
        )
        push = ctx.socket(aiomq.PUSH)
        for option, value in FAST_RECONNECT.items():
            push.setsockopt(option, value)
        events = EventRecorder(push)
        push.connect(pull.last_endpoint.decode())
        await push.send(b"queued before the network works")
        await events.wait_for(aiomq.Event.CONNECT_RETRIED, count=3, timeout=2)
        assert events.count(aiomq.Event.CONNECTED) == 0
        heal(netns)
        async with asyncio.timeout(1.0):
            assert await pull.recv() == b"queued before the network works"
