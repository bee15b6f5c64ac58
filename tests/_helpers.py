"""Test helpers: waiting for monitor events with a deadline."""

from __future__ import annotations

import asyncio

import aiomq


class EventRecorder:
    """Records a socket's monitor events and waits for them with a deadline."""

    def __init__(self, sock: aiomq.Socket) -> None:
        self.events: list[tuple[aiomq.Event, str]] = []
        self._changed = asyncio.Event()
        sock.add_monitor_listener(self._record)

    def _record(self, event: aiomq.Event, endpoint: str, value: int | str) -> None:
        self.events.append((event, endpoint))
        self._changed.set()

    def count(self, event: aiomq.Event) -> int:
        """How many times ``event`` happened so far."""
        return sum(1 for seen, _ in self.events if seen == event)

    async def wait_for(self, event: aiomq.Event, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``event`` happened ``count`` times in all."""
        async with asyncio.timeout(timeout):
            while self.count(event) < count:
                self._changed.clear()
                await self._changed.wait()
