"""Notice when an event loop shuts down, at no cost per send or receive.

A socket belongs to the loop it is first used in: its connections are that loop's
transports. Once ``asyncio.run()`` (or ``uvloop.run``, ``aiomq.run``) has finished, a
socket still referenced must fail clearly in the next loop instead of queuing into dead
connections. Checking the running loop on every send and receive would cost more than
the rest of the hot path, so the socket is told instead: ``asyncio.run`` finalizes every
asynchronous generator of its loop before closing it (``loop.shutdown_asyncgens``), and
one such generator per loop calls the callbacks registered here.

Layer 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncGenerator, Callable

__all__ = ["on_loop_end"]


class _Watch:
    """The callbacks of one loop, and the generator whose finalization runs them."""

    __slots__ = ("callbacks", "sentinel")

    def __init__(self) -> None:
        self.callbacks: weakref.WeakValueDictionary[int, _Callback] = weakref.WeakValueDictionary()
        self.sentinel: AsyncGenerator[None, None] | None = None

    def run(self) -> None:
        for callback in list(self.callbacks.values()):
            callback()


class _Callback:
    """A callback held weakly (by its owner's reference to it)."""

    __slots__ = ("__weakref__", "function")

    def __init__(self, function: Callable[[], None]) -> None:
        self.function = function

    def __call__(self) -> None:
        self.function()


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watch] = weakref.WeakKeyDictionary()


async def _sentinel(watch: _Watch) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        watch.run()


def on_loop_end(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> object:
    """Call ``callback`` when ``loop`` finalizes its asynchronous generators (it shuts down).

    Must be called while ``loop`` runs, in its thread. The registration lasts as long as
    the returned token is referenced (keep it beside the callback's owner).

    Returns:
        The token that keeps the registration alive.
    """
    watch = _watches.get(loop)
    if watch is None:
        watch = _watches[loop] = _Watch()
        sentinel = _sentinel(watch)
        step = sentinel.asend(None)  # runs to the yield: the loop now tracks it
        with contextlib.suppress(StopIteration):
            step.send(None)
        watch.sentinel = sentinel
    token = _Callback(callback)
    watch.callbacks[id(token)] = token
    return token
