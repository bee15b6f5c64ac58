"""Write coalescing: the engines' flushes of one loop iteration, run together.

An engine whose outbound queue gets a message schedules its flush here rather than
writing at once, so that everything a loop iteration queues goes out in one ``write()``
per connection. The queued flushes run as one callback at the end of the iteration, or
sooner: a task about to wait (a REQ after its request, a REP after its reply) runs them
before it suspends, so that its message is on the wire one loop iteration earlier.

Layer 3.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

__all__ = ["FlushQueue", "flush_queue"]


class FlushQueue:
    """The flushes scheduled on one event loop.

    Args:
        loop: The loop whose iterations bound the coalescing.
    """

    __slots__ = ("_handle", "_pending", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._pending: list[Callable[[], None]] = []
        self._handle: asyncio.Handle | None = None

    def schedule(self, flush: Callable[[], None]) -> None:
        """Run ``flush`` at the end of this loop iteration (the caller schedules it once)."""
        pending = self._pending
        pending.append(flush)
        if len(pending) == 1:
            self._handle = self.loop.call_soon(self.run)

    def run(self) -> None:
        """Run every scheduled flush now (a flush may schedule itself again)."""
        pending = self._pending
        if pending:
            self._pending = []
            for flush in pending:
                flush()

    def run_before_waiting(self) -> None:
        """A task is about to suspend: write what is queued now, not an iteration later."""
        if self._pending:
            handle = self._handle
            if handle is not None:
                handle.cancel()
            self.run()


class _PerThread(threading.local):
    queue: FlushQueue | None = None


_per_thread = _PerThread()


def flush_queue(loop: asyncio.AbstractEventLoop) -> FlushQueue:
    """The flush queue of ``loop`` (a thread runs one loop at a time)."""
    queue = _per_thread.queue
    if queue is None or queue.loop is not loop:
        queue = _per_thread.queue = FlushQueue(loop)
    return queue
