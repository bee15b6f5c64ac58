"""A level-less wake-up signal for tasks waiting on a socket.

Layer 3.
"""

from __future__ import annotations

import asyncio

__all__ = ["Signal"]


class Signal:
    """Wakes every task currently waiting in :meth:`wait` when :meth:`set` is called.

    There is no stored state: callers check their condition, and only if it does not
    hold call :meth:`wait` without awaiting anything in between, so no wake-up is lost.
    """

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def set(self) -> None:
        """Wake all current waiters."""
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    def register(self, fut: asyncio.Future[None]) -> None:
        """Resolve ``fut`` at the next :meth:`set` (one future may watch many signals)."""
        self._waiters.append(fut)

    def unregister(self, fut: asyncio.Future[None]) -> None:
        """Stop watching with ``fut`` (if it still is)."""
        waiters = self._waiters
        if fut in waiters:
            waiters.remove(fut)

    async def wait(self) -> None:
        """Wait for the next :meth:`set`. Cancellation-safe: consumes nothing."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        finally:
            if not fut.done():
                fut.cancel()
            self.unregister(fut)
