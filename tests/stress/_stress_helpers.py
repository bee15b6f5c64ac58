"""Helpers for the load and slow-consumer stress tests: endpoints per transport,
sequence-numbered messages, an exact stream checker and the open-files limit."""

from __future__ import annotations

import itertools
import resource
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

__all__ = [
    "SEQ",
    "TRANSPORTS",
    "Endpoints",
    "StreamCheck",
    "raise_nofile",
    "seq",
    "unseq",
]

TRANSPORTS = ("tcp", "ipc", "inproc")
"""The transports a stream test runs over."""

SEQ = 8
"""Bytes of a sequence number (big-endian) at the head of a message."""

_names = itertools.count()


def seq(number: int) -> bytes:
    """``number`` as the 8-byte big-endian head of a message."""
    return number.to_bytes(SEQ, "big")


def unseq(frame: bytes) -> int:
    """The sequence number at the head of ``frame``."""
    return int.from_bytes(frame[:SEQ], "big")


@dataclass
class Endpoints:
    """Fresh addresses to bind on one transport.

    ``tcp`` binds ``tcp://127.0.0.1:*`` (peers connect to ``last_endpoint``), ``ipc`` a
    new file in ``directory`` (kept short: socket paths are limited to ~107 bytes) and
    ``inproc`` a name nobody else uses.
    """

    transport: str
    directory: str

    def bind_address(self) -> str:
        """An address to ``bind`` (for tcp, the connect address is ``last_endpoint``)."""
        n = next(_names)
        if self.transport == "tcp":
            return "tcp://127.0.0.1:*"
        if self.transport == "ipc":
            return f"ipc://{self.directory}/s{n}"
        if self.transport == "inproc":
            return f"inproc://stress-{n}"
        raise ValueError(f"unknown transport {self.transport!r}")


@dataclass
class StreamCheck:
    """Checks a received stream of sequence numbers against ``0 .. sent - 1`` exactly.

    Feed every received number to ``add``; ``report`` gives the figures. A
    number seen before is a duplicate; one below the highest seen so far (and new) is
    reordered; those never seen are lost.
    """

    sent: int = 0
    received: int = 0
    duplicated: int = 0
    reordered: int = 0
    _seen: bytearray = field(default_factory=bytearray, repr=False)
    _highest: int = -1

    def expect(self, sent: int) -> None:
        """Declare how many numbers (``0 .. sent - 1``) the sender sent."""
        self.sent = sent
        if len(self._seen) < sent:
            self._seen.extend(bytes(sent - len(self._seen)))

    def add(self, number: int) -> None:
        """Record one received number."""
        self.received += 1
        seen = self._seen
        if number >= len(seen):
            seen.extend(bytes(number + 1 - len(seen)))
        if seen[number]:
            self.duplicated += 1
            return
        seen[number] = 1
        if number < self._highest:
            self.reordered += 1
        else:
            self._highest = number

    def add_all(self, numbers: Iterable[int]) -> None:
        """Record several received numbers, in order."""
        for number in numbers:
            self.add(number)

    @property
    def lost(self) -> int:
        """Numbers below ``sent`` never received."""
        return self.sent - sum(self._seen[: self.sent])

    def report(self) -> str:
        """The figures, for an assertion message or the test's output."""
        return (
            f"sent={self.sent} received={self.received} lost={self.lost} "
            f"duplicated={self.duplicated} reordered={self.reordered}"
        )

    def assert_exact(self) -> None:
        """Everything arrived once, in order."""
        assert (self.received, self.lost, self.duplicated, self.reordered) == (
            self.sent,
            0,
            0,
            0,
        ), self.report()


def raise_nofile(needed: int) -> int:
    """Raise the soft open-files limit to the hard limit; skip the test below ``needed``.

    Returns:
        The soft limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed * 2)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        pytest.skip(f"needs {needed} open files, RLIMIT_NOFILE allows only {soft}")
    return soft
