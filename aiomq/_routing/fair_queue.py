"""FairQueue: take whole messages from ready pipes in turn (RFC 30)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from .._pipe import Message, Pipe
from ..errors import Again

__all__ = ["FairQueue"]


def _nothing() -> None:
    return None


class FairQueue:
    """Receives one whole message at a time from each pipe that has input, round robin.

    Pipes announce themselves through their inbound queue's ``on_readable`` callback, so
    a receive costs O(1) however many peers are idle.

    Args:
        on_readable: Called when a message may have become available.
    """

    __slots__ = ("_on_readable", "_ready", "last_pipe", "pipes")

    def __init__(self, on_readable: Callable[[], None]) -> None:
        self.pipes: set[Pipe] = set()
        self.last_pipe: Pipe | None = None
        """The pipe the last message came from (for envelopes and routing ids)."""
        self._ready: deque[Pipe] = deque()
        self._on_readable = on_readable

    def attach(self, pipe: Pipe) -> bool:
        """Start reading from ``pipe``."""
        self.pipes.add(pipe)
        ready = self._ready
        on_readable = self._on_readable

        def activate() -> None:
            ready.append(pipe)
            on_readable()

        pipe.inbound.on_readable = activate
        if len(pipe.inbound):
            activate()
        return True

    def detach(self, pipe: Pipe) -> None:
        """Stop reading from ``pipe``; what it receives from now on is not read."""
        self.pipes.discard(pipe)
        pipe.inbound.on_readable = _nothing
        while pipe in self._ready:
            self._ready.remove(pipe)

    def terminate(self, pipe: Pipe) -> None:
        """Keep reading ``pipe`` until drained (the socket detaches it then)."""

    @property
    def readable(self) -> bool:
        """True when some pipe has a message."""
        return any(len(pipe.inbound) for pipe in self._ready)

    def recv_nowait(self) -> Message:
        """Take the next whole message.

        Raises:
            Again: No pipe has a message.
        """
        ready = self._ready
        while ready:
            pipe = ready[0]
            queue = pipe.inbound
            if queue:
                message = queue.pop()
                self.last_pipe = pipe
                if queue:
                    if len(ready) > 1:
                        ready.rotate(-1)
                else:
                    ready.popleft()
                    if pipe.terminating:
                        pipe.on_drained(pipe)
                return message
            ready.popleft()
        raise Again("no message available")
