"""ExclusivePair: one peer at a time, both directions (RFC 31)."""

from __future__ import annotations

from collections.abc import Callable

from .._pipe import Message, Pipe
from ..errors import Again

__all__ = ["ExclusivePair"]


class ExclusivePair:
    """Routes everything through the one attached pipe; refuses a second peer.

    Args:
        on_readable: Called when a message may have become available.
        on_writable: Called when sending may have become possible.
    """

    __slots__ = ("_on_readable", "_on_writable", "pipe")

    def __init__(self, on_readable: Callable[[], None], on_writable: Callable[[], None]) -> None:
        self.pipe: Pipe | None = None
        self._on_readable = on_readable
        self._on_writable = on_writable

    def attach(self, pipe: Pipe) -> bool:
        """Take ``pipe`` as the peer, unless there already is one."""
        if self.pipe is not None:
            return False
        self.pipe = pipe
        pipe.inbound.on_readable = self._on_readable
        pipe.outbound.on_writable = self._on_writable
        self._on_readable()
        self._on_writable()
        return True

    def detach(self, pipe: Pipe) -> None:
        """Forget ``pipe`` if it is the peer."""
        if self.pipe is pipe:
            self.pipe = None

    def terminate(self, pipe: Pipe) -> None:
        """Stop sending to ``pipe``; it stays readable until drained."""

    @property
    def readable(self) -> bool:
        """True when a message is waiting."""
        return self.pipe is not None and len(self.pipe.inbound) > 0

    @property
    def writable(self) -> bool:
        """True when the peer's queue has room."""
        pipe = self.pipe
        return pipe is not None and not pipe.terminating and not pipe.outbound.full

    def send_nowait(self, message: Message) -> None:
        """Queue ``message`` for the peer.

        Raises:
            Again: No peer, or its queue is full.
        """
        pipe = self.pipe
        if pipe is None or pipe.terminating or pipe.outbound.full:
            raise Again("no peer can take the message now")
        pipe.outbound.push(message)

    def recv_nowait(self) -> Message:
        """Take the peer's next message.

        Raises:
            Again: Nothing is waiting.
        """
        pipe = self.pipe
        if pipe is None:
            raise Again("no message available")
        queue = pipe.inbound
        if not queue:
            raise Again("no message available")
        message = queue.pop()
        if pipe.terminating and not queue:
            pipe.on_drained(pipe)
        return message
