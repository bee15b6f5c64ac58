"""The engine's read-ahead: it stops reading at RCVHWM messages, or at about 1 MiB of them.

Driven through the engine's delivery step with a stand-in transport, so that the exact
queue lengths at which reading pauses and resumes can be asserted.
"""

from __future__ import annotations

from aiomq._engine import _READ_AHEAD, Engine
from aiomq._pipe import ConflatingQueue, Message, MessageQueue, Pipe
from aiomq.constants import Event, SocketType
from aiomq.options import Options
from aiomq.zmtp import HandshakeComplete

_FRAME = 1 << 16
_PER_READ = _READ_AHEAD // _FRAME // 2  # half the read-ahead in each read


class _Transport:
    """Records pause_reading/resume_reading calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

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

    engine = Engine(
        _Owner(), Options(int(SocketType.PULL)), "PULL", frozenset({"PUSH"}), "tcp://t", monitor
    )
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
