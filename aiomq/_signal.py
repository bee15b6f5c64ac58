"""A level-less wake-up signal for tasks waiting on a socket.

Layer 3.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["Signal", "wait_any", "when_all"]


class Signal:
    """Wakes every task currently waiting in ``wait`` when ``set`` is called.

    There is no stored state: callers check their condition, and only if it does not
    hold call ``wait`` without awaiting anything in between, so
    no wake-up is lost.

    Attributes:
        listener: Called at every ``set`` while not None (a socket's line of pending
            calls, which serves the calls observed through callbacks).
        sets: How many times ``set`` was called (a caller that found its condition false
            need not check it again before this changes).
    """

    __slots__ = ("_waiters", "listener", "sets")

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []
        self.listener: Callable[[], None] | None = None
        self.sets = 0

    def set(self) -> None:
        """Wake all current waiters, and call the listener."""
        self.sets += 1
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
        listener = self.listener
        if listener is not None:
            listener()

    def register(self, fut: asyncio.Future[None]) -> None:
        """Resolve ``fut`` at the next ``set`` (one future may watch many signals)."""
        self._waiters.append(fut)

    def unregister(self, fut: asyncio.Future[None]) -> None:
        """Stop watching with ``fut`` (if it still is)."""
        waiters = self._waiters
        if fut in waiters:
            waiters.remove(fut)

    async def wait(
        self,
        prepare: Callable[[], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """Wait for the next ``set``. Cancellation-safe: consumes nothing.

        Args:
            prepare: Called once the waiter is registered, before suspending: a
                ``set`` it causes (a flush that drains a full queue) ends the wait
                at once instead of being lost.
            loop: The running loop, when the caller has it at hand.
        """
        fut: asyncio.Future[None] = (loop or asyncio.get_running_loop()).create_future()
        self._waiters.append(fut)
        try:
            if prepare is not None:
                prepare()
            await fut
        finally:
            if not fut.done():
                fut.cancel()
            self.unregister(fut)


async def wait_any(signals: list[Signal], deadline: float | None = None) -> None:
    """Wait until any of ``signals`` is set, or the loop's clock passes ``deadline``.

    Cancellation-safe: consumes nothing.

    Args:
        signals: The signals to watch (none: only the deadline ends the wait).
        deadline: A ``loop.time()`` to give up at; None waits for a signal.
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[None] = loop.create_future()
    for signal in signals:
        signal.register(fut)
    timer = None if deadline is None else loop.call_at(deadline, _wake, fut)
    try:
        await fut
    finally:
        if timer is not None:
            timer.cancel()
        for signal in signals:
            signal.unregister(fut)


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def when_all(
    loop: asyncio.AbstractEventLoop, futures: list[asyncio.Future[None]]
) -> asyncio.Future[None]:
    """A future done once every one of ``futures`` is, whatever their outcome."""
    done: asyncio.Future[None] = loop.create_future()
    if not futures:
        done.set_result(None)
        return done

    def finished(_: object) -> None:
        if not done.done():
            done.set_result(None)

    asyncio.gather(*futures, return_exceptions=True).add_done_callback(finished)
    return done
