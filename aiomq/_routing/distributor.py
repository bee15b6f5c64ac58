"""Distributor: fan a message out to many pipes without ever blocking (RFC 29).

Layer 3.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from .._pipe import Message, Pipe
from ..errors import Again

__all__ = ["Distributor"]


class Distributor:
    """Copies each message into the outgoing queue of every chosen pipe.

    A pipe whose queue is at its high-water mark misses the message (RFC 29: "SHALL
    silently drop the message if the queue for a subscriber is full"); the others get
    it. Sending never raises, except in ``lossy=False`` mode (``XPUB_NODROP``), where
    a full matching pipe makes the whole send raise ``Again``
    before anything is queued, so the caller can wait and retry.

    Args:
        on_writable: Called when a full pipe drains below its high-water mark.
    """

    __slots__ = ("_on_writable", "pipes")

    def __init__(self, on_writable: Callable[[], None]) -> None:
        self.pipes: dict[Pipe, None] = {}
        """The attached pipes, in attachment order."""
        self._on_writable = on_writable

    def attach(self, pipe: Pipe) -> bool:
        """Start sending to ``pipe``."""
        self.pipes[pipe] = None
        pipe.outbound.on_writable = self._on_writable
        return True

    def detach(self, pipe: Pipe) -> None:
        """Stop sending to ``pipe`` (it may not be attached)."""
        self.pipes.pop(pipe, None)

    terminate = detach

    def __contains__(self, pipe: object) -> bool:
        return pipe in self.pipes

    @property
    def writable(self) -> bool:
        """Always True: a distributor drops rather than waits (as libzmq's ``dist``)."""
        return True

    def send_nowait(self, message: Message, pipes: Collection[Pipe], *, lossy: bool = True) -> int:
        """Queue ``message`` on each of ``pipes`` that has room.

        Args:
            message: The whole message.
            pipes: The pipes to send to (a subset of the attached ones).
            lossy: False to refuse the message unless every pipe has room.

        Returns:
            How many pipes took the message.

        Raises:
            Again: ``lossy`` is False and one of ``pipes`` is full.
        """
        if not lossy:
            for pipe in pipes:
                if pipe.outbound.full:
                    raise Again("a subscriber's queue is full (XPUB_NODROP)")
        sent = 0
        for pipe in pipes:
            queue = pipe.outbound
            if not queue.full:
                queue.push(message)
                sent += 1
        return sent

    def send_to_all(self, message: Message) -> int:
        """Queue ``message`` on every attached pipe that has room.

        Returns:
            How many pipes took the message.
        """
        return self.send_nowait(message, self.pipes.keys())
