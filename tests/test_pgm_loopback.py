"""Source ⇄ Receiver in memory: the two PGM state machines must agree.

A deterministic simulation: one :class:`~aiomq.pgm.source.Source` and one
:class:`~aiomq.pgm.receiver.Receiver` exchange their datagrams through a fake
network with a fixed latency and a fake clock that jumps from event to event.
A seeded dropper loses ODATA and/or RDATA. Messages are packed into APDUs with
:class:`~aiomq.pgm.framing.ApduPacker`, as a PUB would, and paced by the source's
token bucket.

The expected outcome is computed from what was actually sent and dropped: a
message is delivered if and only if every APDU holding a byte of it reached the
receiver (sent or repaired) and it starts at or after the receiver's window
start; nothing else, no partial message, and every unrecoverable sequence number
is reported in a :class:`~aiomq.pgm.receiver.Loss`.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from collections.abc import Sequence

import pytest

from aiomq.pgm.framing import ApduPacker
from aiomq.pgm.packets import ODATA, RDATA, Data, Datagram, Spm, Tsi, parse
from aiomq.pgm.receiver import Loss, Receiver
from aiomq.pgm.source import Source

PORT = 5555
GROUP = "239.192.1.1"
NLA = "10.0.0.1"
TSI = Tsi(bytes.fromhex("0123456789ab"), 0x8528)
LATENCY = 0.001
RATE = 12_500  # libzmq's default ZMQ_RATE of 100 kbit/s, in bytes per second
SQNS = 80  # libzmq's default TXW_SQNS / RXW_SQNS

Message = tuple[bytes, ...]


def workload(count: int) -> list[Message]:
    """Messages of sizes 0, 253, 254, 1426, 3000 and multipart, each recognisable."""
    out: list[Message] = []
    for i in range(count):
        tag = b"%06d" % i
        kind = i % 7
        if kind == 0:
            out.append((b"",))
        elif kind == 6:
            out.append((b"topic-" + tag, b"", (tag * 60)[:300]))
        elif kind == 5:
            out.append((b"t" + tag, b"body"))
        else:
            size = (253, 254, 1426, 3000)[kind - 1]
            out.append(((tag * (size // 6 + 1))[:size],))
    return out


def encoded_size(message: Message) -> int:
    """Bytes of the ZMTP/1.0 stream one message takes (short frame form up to 253 bytes)."""
    return sum((2 if len(part) <= 253 else 10) + len(part) for part in message)


class Loopback:
    """A source and a receiver on a simulated lossy network with a fake clock."""

    def __init__(
        self,
        seed: int,
        *,
        odata_loss: float = 0.0,
        rdata_loss: float = 0.0,
        join_at: float = 0.0,
    ) -> None:
        self.now = 0.0
        self.odata_loss = odata_loss
        self.rdata_loss = rdata_loss
        self.join_at = join_at
        self.drops = random.Random(seed)
        self.source = Source(
            tsi=TSI,
            port=PORT,
            nla=NLA,
            group=GROUP,
            txw_sqns=SQNS,
            rate=RATE,
            max_tpdu=1500,
            ip_overhead=28,
            now=0.0,
        )
        self.receiver = Receiver(
            port=PORT, group=GROUP, rxw_sqns=SQNS, rand=random.Random(seed + 1).random
        )
        self.packer = ApduPacker()
        self.waiting: bytes | None = None  # an APDU held back by the rate limit
        self.apdus: list[bytes] = []  # everything sent, by sqn (the source starts at 0)
        self.dropped: list[int] = []  # ODATA sqns the network lost
        self.first: Spm | Data | None = None  # the first packet the receiver got
        self.wire: list[tuple[float, int, bool, bytes]] = []  # (arrival, order, upstream, bytes)
        self.order = itertools.count()
        self.delivered: list[Message] = []
        self.losses: list[Loss] = []
        self.upstream_multicast = 0

    # -- traffic -------------------------------------------------------------------------

    def push(self, message: Message) -> None:
        self.packer.push(message)
        self._pump()

    def _pump(self) -> None:
        """Send what the rate allows, then move every queued datagram onto the wire."""
        while True:
            if self.waiting is None:
                self.waiting = self.packer.pop()
            if self.waiting is None or self.source.rate_delay(len(self.waiting), self.now) > 0:
                break
            self.source.send(self.waiting, self.now)
            self.apdus.append(self.waiting)
            self.waiting = None
        for datagram in self.source.datagrams():
            self._downstream(datagram)
        for datagram in self.receiver.datagrams():
            self._upstream(datagram)
        for tsi, message in self.receiver.messages():
            assert tsi == TSI
            self.delivered.append(message)
        self.losses += self.receiver.losses()

    def _downstream(self, datagram: Datagram) -> None:
        assert (datagram.address, datagram.port) == (GROUP, PORT)
        if self.now < self.join_at:
            return  # the receiver is not there yet
        ptype = datagram.payload[4]
        if ptype == ODATA and self.drops.random() < self.odata_loss:
            packet = parse(datagram.payload)
            assert isinstance(packet, Data)
            self.dropped.append(packet.sqn)
            return
        if ptype == RDATA and self.drops.random() < self.rdata_loss:
            return
        self._send(datagram.payload, upstream=False)

    def _upstream(self, datagram: Datagram) -> None:
        assert datagram.port == PORT
        if datagram.address == GROUP:
            self.upstream_multicast += 1  # the multicast SPMR copy: no other receiver here
            return
        assert datagram.address == NLA
        self._send(datagram.payload, upstream=True)

    def _send(self, payload: bytes, *, upstream: bool) -> None:
        heapq.heappush(self.wire, (self.now + LATENCY, next(self.order), upstream, payload))

    # -- clock -----------------------------------------------------------------------------

    def _next_event(self) -> float | None:
        times = [self.source.next_timer(), self.receiver.next_timer()]
        if self.wire:
            times.append(self.wire[0][0])
        if self.waiting is not None:
            times.append(self.now + self.source.rate_delay(len(self.waiting), self.now))
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def run_until(self, end: float) -> None:
        self._pump()
        for _ in range(1_000_000):
            when = self._next_event()
            if when is None or when > end:
                break
            self.now = max(self.now, when)
            while self.wire and self.wire[0][0] <= self.now:
                _, _, upstream, payload = heapq.heappop(self.wire)
                if upstream:
                    self.source.receive(payload, self.now)
                else:
                    if self.first is None:
                        packet = parse(payload)
                        if isinstance(packet, Spm | Data):
                            self.first = packet
                    self.receiver.receive(payload, NLA, self.now)
            source_timer = self.source.next_timer()
            if source_timer is not None and source_timer <= self.now:
                self.source.on_timer(self.now)
            receiver_timer = self.receiver.next_timer()
            if receiver_timer is not None and receiver_timer <= self.now:
                self.receiver.on_timer(self.now)
            self._pump()
        else:  # pragma: no cover - a livelock is a bug
            pytest.fail("simulation did not settle")
        self.now = max(self.now, end)

    def play(self, messages: Sequence[Message], *, every: float, settle: float = 60.0) -> None:
        """Push one message every ``every`` seconds, then run ``settle`` seconds more."""
        for i, message in enumerate(messages):
            self.run_until(i * every)
            self.push(message)
        self.run_until(len(messages) * every + settle)
        assert not self.packer.pending()
        assert self.waiting is None

    # -- expectations ------------------------------------------------------------------------

    def window_start(self) -> int:
        """The first sqn the receiver wanted: its first packet defines the window."""
        assert self.first is not None
        if isinstance(self.first, Spm):
            return (self.first.lead + 1) & 0xFFFFFFFF
        return self.first.sqn

    def expected(self, messages: Sequence[Message], lost: set[int]) -> list[Message]:
        """Messages all of whose APDUs arrived, from the window start on."""
        ends = list(itertools.accumulate(len(apdu) - 2 for apdu in self.apdus))
        start = self.window_start()
        out: list[Message] = []
        position = 0
        for message in messages:
            size = encoded_size(message)
            first = bisect.bisect_right(ends, position)
            last = bisect.bisect_left(ends, position + size)
            position += size
            if first >= start and not any(sqn in lost for sqn in range(first, last + 1)):
                out.append(message)
        assert position == ends[-1]
        return out


# -- the cases -----------------------------------------------------------------------------------


def test_no_loss_delivers_everything_in_order() -> None:
    messages = workload(70)
    net = Loopback(1)
    net.play(messages, every=0.05)
    assert net.delivered == messages
    assert net.losses == []
    assert net.window_start() == 0  # the first start SPM: lead 0xFFFFFFFF
    assert net.receiver.naks_sent == 0
    assert net.source.stats.rdata == 0
    assert net.receiver.malformed == net.source.malformed == 0


def test_packing_bursts_still_in_order() -> None:
    messages = workload(140)
    net = Loopback(2, odata_loss=0.1)
    net.play(messages, every=0.0)  # everything queued at once: rate-limited, batched APDUs
    assert net.dropped
    assert net.delivered == messages
    assert net.losses == []


@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_ten_percent_odata_loss_is_repaired(seed: int) -> None:
    messages = workload(210)
    net = Loopback(seed, odata_loss=0.1)
    net.play(messages, every=0.03)
    assert len(net.dropped) >= 10
    assert net.delivered == messages
    assert net.losses == []
    assert net.source.stats.rdata >= len(set(net.dropped))
    assert net.receiver.naks_sent > 0
    assert net.source.stats.naks == net.receiver.naks_sent


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_all_rdata_lost_reports_loss_and_never_a_partial_message(seed: int) -> None:
    messages = workload(140)
    net = Loopback(seed, odata_loss=0.1, rdata_loss=1.0)
    net.play(messages, every=0.03)
    lost = set(net.dropped)
    assert lost
    want = net.expected(messages, lost)
    assert len(want) < len(messages)
    assert net.delivered == want
    assert sum(loss.sqns for loss in net.losses) == len(lost)
    assert all(loss.tsi == TSI for loss in net.losses)
    assert net.receiver.lost == len(lost)


def test_tail_loss_is_repaired_through_heartbeat_spm() -> None:
    messages = workload(12)
    net = Loopback(10)
    for i, message in enumerate(messages[:-1]):
        net.run_until(i * 0.05)
        net.push(message)
    net.odata_loss = 1.0  # the very last ODATA is lost; only the heartbeat SPM reveals it
    net.run_until(len(messages) * 0.05)
    net.push(messages[-1])
    net.odata_loss = 0.0
    net.run_until(len(messages) * 0.05 + 60)
    assert len(net.dropped) >= 1
    assert net.delivered == messages
    assert net.losses == []


@pytest.mark.parametrize(("seed", "join_at"), [(11, 1.0), (12, 2.345), (13, 4.2), (14, 0.35)])
def test_late_join_starts_at_a_whole_message(seed: int, join_at: float) -> None:
    messages = workload(210)
    net = Loopback(seed, odata_loss=0.1, join_at=join_at)
    net.play(messages, every=0.03)
    start = net.window_start()
    assert start > 0
    want = net.expected(messages, set())
    assert 0 < len(want) < len(messages)
    assert net.delivered == want
    assert net.losses == []
    # An SPMR goes out only if data came first and no SPM followed within 25 ms.
    assert net.source.stats.spmrs == net.receiver.spmrs_sent == net.upstream_multicast <= 1
    if isinstance(net.first, Spm):
        assert net.receiver.spmrs_sent == 0


def test_expected_model_matches_the_packer() -> None:
    # The simulation's own bookkeeping: stream sizes and APDU boundaries agree.
    messages = workload(21)
    net = Loopback(15)
    net.play(messages, every=0.0, settle=5.0)
    assert net.expected(messages, set()) == messages
    assert len(net.apdus) > 1
