"""Helpers for the strategy tests that run without an event loop: pipes and wake-up counters."""

from __future__ import annotations

from aiomq._pipe import MessageQueue, Pipe

__all__ = ["Counter", "make_pipe"]


def make_pipe(hwm: int = 10, name: str = "") -> Pipe:
    """A pipe with queues of ``hwm`` messages each way, for the endpoint ``name``."""
    return Pipe(MessageQueue(hwm), MessageQueue(hwm), endpoint=name)


class Counter:
    """A callback that counts its calls (a strategy's wake-up)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
