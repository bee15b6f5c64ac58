"""The engine's flow control, driven with a stand-in transport so that exact counts show.

* Read-ahead: it stops reading at RCVHWM messages, or at about 1 MiB of them.
* Flush size: it hands the transport about what the kernel takes at once.
"""

from __future__ import annotations

from aiomq._engine import _FLUSH_BYTES, _READ_AHEAD, Engine
from aiomq._pipe import ConflatingQueue, Message, MessageQueue, Pipe
from aiomq._sockets.pipeline import PullSocket
from aiomq.constants import Event, SocketType
from aiomq.options import Options
from aiomq.zmtp import Connection, HandshakeComplete

_FRAME = 1 << 16
_PER_READ = _READ_AHEAD // _FRAME // 2  # half the read-ahead in each read


class _Transport:
    """Records pause_reading/resume_reading calls; its "kernel" takes ``room`` octets
    of each write and buffers the rest."""

    def __init__(self, room: int = 1 << 30) -> None:
        self.calls: list[str] = []
        self.room = room
        self.writes: list[int] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.writes.append(len(data))
        self.buffered += max(0, len(data) - self.room)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


class _Owner:
    def engine_ready(self, engine: Engine, handshake: HandshakeComplete) -> Pipe | None:
        return None

    def engine_closed(self, engine: Engine, *, ready: bool, error: Event | None) -> None:
        return None


def _engine(inbound: MessageQueue) -> tuple[Engine, _Transport, Pipe]:
    def monitor(event: Event, endpoint: str, value: int | str) -> None:
        return None

    engine = Engine(_Owner(), Options(int(SocketType.PULL)), PullSocket._traits, "tcp://t", monitor)
    transport = _Transport()
    pipe = Pipe(inbound, MessageQueue(1000))
    engine._transport = transport  # type: ignore[assignment]
    engine.pipe = pipe
    inbound.on_writable = engine._resume_reading
    return engine, transport, pipe


def _read(engine: Engine, count: int, size: int) -> None:
    batch: list[Message] = [(bytes(size),)] * count
    engine._deliver(batch, count * size)


async def test_large_messages_pause_at_about_a_mebibyte_then_resume() -> None:
    engine, transport, pipe = _engine(MessageQueue(1000))
    _read(engine, _PER_READ, _FRAME)
    assert transport.calls == []
    _read(engine, _PER_READ, _FRAME)
    assert transport.calls == []  # exactly the read-ahead: still reading
    _read(engine, 1, _FRAME)
    assert transport.calls == ["pause"]
    queued = 2 * _PER_READ + 1
    assert len(pipe.inbound) == queued
    assert pipe.inbound.hwm == queued  # lowered until it drains
    pipe.inbound.pop()
    assert transport.calls == ["pause", "resume"]
    assert pipe.inbound.hwm == 1000  # RCVHWM again


async def test_small_messages_pause_at_rcvhwm_only() -> None:
    engine, transport, pipe = _engine(MessageQueue(1000))
    _read(engine, 999, 16)
    assert transport.calls == []
    _read(engine, 1, 16)
    assert transport.calls == ["pause"]
    assert pipe.inbound.hwm == 1000
    pipe.inbound.pop()
    assert transport.calls == ["pause", "resume"]


async def test_a_conflating_queue_never_pauses_reading() -> None:
    engine, transport, pipe = _engine(ConflatingQueue())
    for _ in range(4):
        _read(engine, _PER_READ, _FRAME)
    assert transport.calls == []
    assert len(pipe.inbound) == 1


async def test_rcvhwm_below_the_read_ahead_applies_unchanged() -> None:
    engine, transport, pipe = _engine(MessageQueue(5))
    _read(engine, 4, _FRAME)
    assert transport.calls == []
    _read(engine, 4, _FRAME)
    assert transport.calls == ["pause"]
    assert pipe.inbound.hwm == 5


async def test_an_unbounded_queue_gets_the_read_ahead_and_keeps_rcvhwm_after_a_drop() -> None:
    engine, transport, pipe = _engine(MessageQueue(0))
    _read(engine, 2 * _PER_READ + 1, _FRAME)
    assert transport.calls == ["pause"]
    assert pipe.inbound.hwm == 2 * _PER_READ + 1
    engine.connection_lost(None)  # a paused connection ends: its pipe keeps RCVHWM (0)
    assert pipe.inbound.hwm == 0


def _traffic_codec() -> Connection:
    """A PUSH codec past its handshake (with a PULL codec that is then dropped)."""
    ours, theirs = Connection(socket_type="PUSH"), Connection(socket_type="PULL")
    ours.initiate()
    theirs.initiate()
    for _ in range(4):
        theirs.receive_data(ours.data_to_send())
        ours.receive_data(theirs.data_to_send())
    assert ours.handshake_complete
    return ours


async def test_flushes_shrink_to_what_the_kernel_takes() -> None:
    engine, transport, pipe = _engine(MessageQueue(1000))
    engine._codec = _traffic_codec()
    room = 200 * 1024  # about what a unix socket takes at once
    transport.room = room
    for _ in range(40):
        pipe.outbound.push((bytes(_FRAME),))
    flushed: list[int] = []
    while len(pipe.outbound):
        before = len(pipe.outbound)
        engine._flush()
        flushed.append(before - len(pipe.outbound))
        transport.buffered = 0  # the transport drained before the next flush
    # 1 MiB (+1 message) first, then about what the kernel takes: 3 messages, or 6
    # when it probes for more (and the kernel takes half of that).
    assert flushed == [_FLUSH_BYTES // _FRAME + 1, 3, 6, 3, 6, 3, 2]
    later = transport.writes[1:]
    kept = sum(max(0, size - room) for size in later)
    assert kept * 3 < sum(later)  # a fixed 1 MiB flush would leave 80 % to the transport
    assert sum(flushed) == 40


async def test_flushes_stay_large_when_the_kernel_takes_everything() -> None:
    engine, transport, pipe = _engine(MessageQueue(1000))
    transport.room = 1 << 30
    engine._codec = _traffic_codec()
    for _ in range(40):
        pipe.outbound.push((bytes(_FRAME),))
    flushed: list[int] = []
    while len(pipe.outbound):
        before = len(pipe.outbound)
        engine._flush()
        flushed.append(before - len(pipe.outbound))
    assert flushed == [17, 15, 8]  # the message limit then adapts to 1 MiB
