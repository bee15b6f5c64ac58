"""Deterministic messages for the pgm/epgm interop tests, and the receiving side's check.

Standard library only: imported by the tests (``tests/interop/test_pgm_interop.py``) and by
the libzmq peer (``tests/interop/pgm_peer.py``), which runs under Debian's
``/usr/bin/python3``.

Three kinds of message travel in these tests:

- **data** ``message(topic, i)``: the first frame starts with ``topic + b"#%08d" % i`` (so a
  SUB can filter on ``topic``) and every frame is a function of ``(topic, i)``, so the
  receiver checks each message exactly against the index it names. The body size cycles
  through :data:`SIZES` (0, 16, 253, 254, 1426, 3000, … up to 60 KiB); every fourth
  message is multipart.
- **control** ``control(name)``: ``[b"ctl." + name]``; the publisher repeats one every
  20 ms (warm-up, fence, end) until the test sees that the receiver got it, since PGM has
  no connection to wait for.
- **edges** ``edge_messages(rounds)``: headerless messages of the sizes that matter at
  APDU boundaries (0, 253, 254, 1426, 3000 bytes, multipart), checked as one exact list.

:class:`Collector` classifies and checks what a SUB receives; its :meth:`Collector.result`
is a small JSON-able dict (arrival order is kept as runs of consecutive indices).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "CONTROL",
    "SIZES",
    "Collector",
    "control",
    "edge_messages",
    "expand",
    "message",
    "stream",
    "summary",
]

KIB = 1024
SIZES: tuple[int, ...] = (
    *(0, 16, 253, 254, 1426, 3000, 17, 100),
    *(1, 16, 255, 1425, 1427, 1428, 30, 512),
    *(2852, 2853, 64, 16, 700, 4096, 16, 9),
    *(61440, 16, 253, 254, 2000, 33, 128, 16),
    *(0, 16, 1426, 3000, 17, 200, 8000, 40),
    *(16, 1000, 254, 5, 16, 300, 1500, 16),
    *(24, 16, 253, 2854, 16, 80, 1200, 16),
    *(16, 600, 32, 16, 999, 16, 1426, 50),
)
"""Body sizes of data messages, by ``index % len(SIZES)`` (about 1.7 KB on average)."""

CONTROL = b"ctl."
_PATTERN = bytes(range(256)) * (64 * KIB // 256 + 2)
_HEADER = re.compile(rb"([A-Za-z]+)#(\d{8})")


def _bytes(size: int, seed: int) -> bytes:
    start = seed % 256
    return _PATTERN[start : start + size]


def message(topic: bytes, index: int) -> list[bytes]:
    """Data message ``index`` of ``topic`` (ASCII letters): its exact frames.

    Three shapes alternate: one frame ``header + body`` (most), ``[header, body]``
    (index % 4 == 1) and ``[header, b"", body, tail]`` (index % 4 == 3).
    """
    header = topic + b"#%08d" % index
    body = _bytes(SIZES[index % len(SIZES)], index + len(topic))
    if index % 4 == 1:
        return [header, body]
    if index % 4 == 3:
        return [header, b"", body, _bytes(index % 300, index * 7)]
    return [header + body]


def stream(
    topic: bytes, start: int, end: int, other: bytes | None = None, every: int = 7
) -> Iterator[list[bytes]]:
    """Messages ``start`` .. ``end - 1`` of ``topic``; with ``other``, a message of topic
    ``other`` (same index) follows every ``every``-th one, for a SUB to filter out."""
    for index in range(start, end):
        yield message(topic, index)
        if other is not None and index % every == every - 1:
            yield message(other, index)


def control(name: str) -> list[bytes]:
    """The control message ``name`` (``[b"ctl." + name]``)."""
    return [CONTROL + name.encode()]


def edge_messages(rounds: int) -> list[list[bytes]]:
    """``rounds`` rounds of headerless messages of edge sizes, content varying by round.

    Sizes 0, 1, 253, 254, 255, 1425-1428, 2852-2854, 3000 alone and in multipart
    messages, so that frames and messages end at, just before and just after APDU ends.
    """
    shapes: list[tuple[int, ...]] = [
        (0,),
        (253,),
        (254,),
        (1426,),
        (3000,),
        (0, 0),
        (253, 254),
        (1426, 0, 1),
        (3000, 253, 0, 254),
        (1,),
        (255,),
        (1425,),
        (1427,),
        (1428,),
        (2852,),
        (2853,),
        (2854,),
        (0, 1426),
        (1424,),
        (1423, 0),
    ]
    out: list[list[bytes]] = []
    for r in range(rounds):
        for s, shape in enumerate(shapes):
            out.append([_bytes(size, r * 31 + s * 5 + k) for k, size in enumerate(shape)])
    return out


def summary(frames: list[bytes]) -> list[str]:
    """A message's frames, short enough for a report."""
    return [f"{len(f)}B:{f[:20]!r}" for f in frames]


def expand(runs: list[list[Any]]) -> list[tuple[str, int]]:
    """Arrival order ``[(topic, index), ...]`` from :meth:`Collector.result`'s runs."""
    return [(topic, i) for topic, first, last in runs for i in range(first, last + 1)]


class Collector:
    """Classifies and checks every message one SUB receives.

    Args:
        edges: Expect ``edge_messages(edges)`` as the headerless messages (else any
            headerless message is bad).
    """

    def __init__(self, edges: int = 0) -> None:
        self.runs: list[list[Any]] = []
        self.bad: list[list[str]] = []
        self.controls: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.received = 0
        self._edges = edge_messages(edges) if edges else None
        self._edge_count = 0
        self._edge_mismatch: int | None = None

    def add(self, frames: list[bytes]) -> tuple[str, str, int]:
        """Record one message.

        Returns:
            ``("data", topic, index)``, ``("ctl", name, times_seen)``, ``("edge", "", n)``
            or ``("bad", "", n_bad)``.
        """
        first = frames[0] if frames else b""
        if len(frames) == 1 and first.startswith(CONTROL):
            name = first[len(CONTROL) :].decode(errors="replace")
            self.controls[name] = self.controls.get(name, 0) + 1
            return ("ctl", name, self.controls[name])
        match = _HEADER.match(first)
        if match is not None:
            topic, index = match.group(1), int(match.group(2))
            if frames == message(topic, index):
                self.received += 1
                name = topic.decode()
                run = self.runs[-1] if self.runs else None
                if run is not None and run[0] == name and run[2] + 1 == index:
                    run[2] = index
                else:
                    self.runs.append([name, index, index])
                self.last[name] = index
                return ("data", name, index)
        if self._edges is not None:
            n = self._edge_count
            self._edge_count += 1
            if self._edge_mismatch is None and (n >= len(self._edges) or self._edges[n] != frames):
                self._edge_mismatch = n
                self.bad.append(summary(frames))
            return ("edge", "", self._edge_count)
        self.bad.append(summary(frames))
        return ("bad", "", len(self.bad))

    def result(self) -> dict[str, Any]:
        """What was received, as a JSON-able dict."""
        out: dict[str, Any] = {
            "received": self.received,
            "runs": self.runs,
            "bad": self.bad[:20],
            "bad_count": len(self.bad),
            "controls": self.controls,
        }
        if self._edges is not None:
            out["edges"] = self._edge_count
            out["edges_expected"] = len(self._edges)
            out["edge_mismatch"] = self._edge_mismatch
        return out
