"""Result records and libzmq's perf-tool output lines.

The formulas and the printed lines follow libzmq's ``perf/local_thr.cpp`` and
``perf/remote_lat.cpp`` exactly, so figures can be compared with the C tools:

* throughput is ``message_count / elapsed_us * 1e6`` truncated to an integer, although only
  ``message_count - 1`` messages are timed (the first one starts the stopwatch);
* megabits are computed from that truncated integer;
* latency is the round-trip time divided by ``2 * roundtrip_count``, i.e. one-way latency, and
  includes connection set-up, which libzmq's ``remote_lat`` also times.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, TypeVar

__all__ = [
    "LatencyResult",
    "PubSubResult",
    "SubscriberResult",
    "ThroughputResult",
    "format_size",
    "latency_us",
    "throughput_msg_s",
]

Kind = Literal["throughput", "latency", "subscriber"]


def format_size(size: int) -> str:
    """Format a message size for people: ``16 B``, ``4 KiB``, ``1 MiB`` (exact multiples only)."""
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def _clamp_elapsed_us(elapsed_s: float) -> float:
    """Return *elapsed_s* in µs, at least 1 (libzmq: ``if (elapsed == 0) elapsed = 1``)."""
    return max(elapsed_s * 1e6, 1.0)


def throughput_msg_s(message_count: int, elapsed_s: float) -> int:
    """Compute libzmq's ``mean throughput [msg/s]``.

    Args:
        message_count: Messages in the run, including the untimed first one.
        elapsed_s: Seconds between the first and the last message.

    Returns:
        Messages per second, truncated like libzmq's ``(unsigned long)`` cast.
    """
    return int(message_count / _clamp_elapsed_us(elapsed_s) * 1_000_000)


def latency_us(roundtrip_count: int, elapsed_s: float) -> float:
    """Compute libzmq's ``average latency [us]`` (one way: round trip divided by two).

    Args:
        roundtrip_count: Request/reply round trips timed.
        elapsed_s: Seconds for all of them.

    Returns:
        Average one-way latency in microseconds.
    """
    return _clamp_elapsed_us(elapsed_s) / (roundtrip_count * 2)


@dataclasses.dataclass(frozen=True, slots=True)
class ThroughputResult:
    """What ``local-thr`` measured.

    Attributes:
        impl: Implementation name (``aiomq``, ``zmq.asyncio`` or ``pyzmq``).
        loop: Event loop (``asyncio`` or ``uvloop``), or ``None`` for blocking pyzmq.
        message_size: Bytes per message.
        message_count: Messages in the run, including the first, untimed one.
        elapsed_s: Seconds from the first to the last message.
    """

    impl: str
    loop: str | None
    message_size: int
    message_count: int
    elapsed_s: float

    @property
    def msg_per_s(self) -> int:
        """Mean throughput in messages per second (libzmq's formula)."""
        return throughput_msg_s(self.message_count, self.elapsed_s)

    @property
    def mbit_per_s(self) -> float:
        """Mean throughput in megabits per second (libzmq's formula)."""
        return self.msg_per_s * self.message_size * 8 / 1_000_000

    def lines(self) -> list[str]:
        """Return libzmq ``local_thr``'s four result lines, byte for byte."""
        return [
            f"message size: {self.message_size} [B]",
            f"message count: {self.message_count}",
            f"mean throughput: {self.msg_per_s} [msg/s]",
            f"mean throughput: {self.mbit_per_s:.3f} [Mb/s]",
        ]

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready mapping with the inputs and the derived figures."""
        derived: dict[str, object] = {
            "msg_per_s": self.msg_per_s,
            "mbit_per_s": round(self.mbit_per_s, 3),
        }
        return _record(self, "throughput", derived)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ThroughputResult:
        """Rebuild a result from ``to_json`` output.

        Raises:
            ValueError: *data* is not a throughput record.
        """
        return _from_record(cls, "throughput", data)


@dataclasses.dataclass(frozen=True, slots=True)
class LatencyResult:
    """What ``remote-lat`` measured.

    Attributes:
        impl: Implementation name.
        loop: Event loop, or ``None`` for blocking pyzmq.
        message_size: Bytes per message.
        roundtrip_count: Request/reply round trips timed.
        elapsed_s: Seconds for all round trips.
    """

    impl: str
    loop: str | None
    message_size: int
    roundtrip_count: int
    elapsed_s: float

    @property
    def latency_us(self) -> float:
        """Average one-way latency in microseconds (libzmq's formula)."""
        return latency_us(self.roundtrip_count, self.elapsed_s)

    def lines(self) -> list[str]:
        """Return libzmq ``remote_lat``'s three result lines, byte for byte."""
        return [
            f"message size: {self.message_size} [B]",
            f"roundtrip count: {self.roundtrip_count}",
            f"average latency: {self.latency_us:.3f} [us]",
        ]

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready mapping with the inputs and the derived figure."""
        return _record(self, "latency", {"latency_us": round(self.latency_us, 3)})

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LatencyResult:
        """Rebuild a result from ``to_json`` output.

        Raises:
            ValueError: *data* is not a latency record.
        """
        return _from_record(cls, "latency", data)


@dataclasses.dataclass(frozen=True, slots=True)
class SubscriberResult:
    """What one ``sub-thr`` measured.

    Attributes:
        impl: Implementation name.
        loop: Event loop, or ``None`` for blocking pyzmq.
        message_size: Bytes per message.
        message_count: Messages the publisher sent.
        received: Messages this subscriber received (``message_count`` unless some were lost).
        elapsed_s: Seconds from the first to the last message received.
    """

    impl: str
    loop: str | None
    message_size: int
    message_count: int
    received: int
    elapsed_s: float

    @property
    def msg_per_s(self) -> int:
        """Messages received per second (libzmq's throughput formula over *received*)."""
        return throughput_msg_s(self.received, self.elapsed_s)

    @property
    def mbit_per_s(self) -> float:
        """Megabits received per second (libzmq's formula)."""
        return self.msg_per_s * self.message_size * 8 / 1_000_000

    @property
    def lost(self) -> int:
        """Messages the publisher sent that this subscriber did not receive."""
        return self.message_count - self.received

    def lines(self) -> list[str]:
        """Return ``local_thr``'s four lines (over the messages received) and the loss."""
        return [
            f"message size: {self.message_size} [B]",
            f"message count: {self.received}",
            f"mean throughput: {self.msg_per_s} [msg/s]",
            f"mean throughput: {self.mbit_per_s:.3f} [Mb/s]",
            f"messages lost: {self.lost}",
        ]

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready mapping with the inputs and the derived figures."""
        return _record(
            self,
            "subscriber",
            {
                "msg_per_s": self.msg_per_s,
                "mbit_per_s": round(self.mbit_per_s, 3),
                "lost": self.lost,
            },
        )

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SubscriberResult:
        """Rebuild a result from ``to_json`` output.

        Raises:
            ValueError: *data* is not a subscriber record.
        """
        return _from_record(cls, "subscriber", data)


@dataclasses.dataclass(frozen=True, slots=True)
class PubSubResult:
    """One PUB → N SUB run: what every subscriber measured.

    Attributes:
        subscribers: One result per subscriber process.
    """

    subscribers: tuple[SubscriberResult, ...]

    @property
    def impl(self) -> str:
        """Implementation name."""
        return self.subscribers[0].impl

    @property
    def loop(self) -> str | None:
        """Event loop, or ``None`` for blocking pyzmq."""
        return self.subscribers[0].loop

    @property
    def message_count(self) -> int:
        """Messages the publisher sent."""
        return self.subscribers[0].message_count

    @property
    def msg_per_s(self) -> float:
        """Mean over the subscribers of the messages each received per second."""
        return sum(s.msg_per_s for s in self.subscribers) / len(self.subscribers)

    @property
    def lost(self) -> int:
        """Messages lost, summed over the subscribers."""
        return sum(s.lost for s in self.subscribers)

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready mapping: every subscriber, the mean rate and the loss."""
        return {
            "kind": "pubsub",
            "msg_per_s": self.msg_per_s,
            "lost": self.lost,
            "subscribers": [s.to_json() for s in self.subscribers],
        }


def _as_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def _as_float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


_Record = TypeVar("_Record")


def _record(result: object, kind: str, derived: dict[str, object]) -> dict[str, object]:
    """A result's JSON record: its kind, its fields in order, then its derived figures."""
    names = [field.name for field in dataclasses.fields(result)]  # type: ignore[arg-type]
    fields = {name: getattr(result, name) for name in names}
    return {"kind": kind, **fields, **derived}


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


_FROM_JSON: dict[str, Any] = {
    "int": _as_int,
    "float": _as_float,
    "str": str,
    "str | None": _optional_str,
}


def _from_record(cls: type[_Record], kind: str, data: dict[str, object]) -> _Record:
    """Rebuild a result of ``cls`` from its ``_record``.

    Raises:
        ValueError: *data* is not a record of this *kind*.
    """
    if data.get("kind") != kind:
        raise ValueError(f"not a {kind} record: {data!r}")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return cls(**{field.name: _FROM_JSON[str(field.type)](data[field.name]) for field in fields})
