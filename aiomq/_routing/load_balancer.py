"""LoadBalancer: round-robin outgoing messages over the pipes that have room (RFC 30)."""

from __future__ import annotations

from collections.abc import Callable

from .._pipe import FastLane, Message, Pipe, lane, no_lane
from ..errors import Again

__all__ = ["LoadBalancer"]


class LoadBalancer:
    """Sends each message to the next pipe, in turn, that is below its high-water mark.

    Args:
        on_writable: Called when sending may have become possible (a pipe attached or
            drained below its high-water mark).
        on_lane: Told the one pipe's outbound queue while exactly one pipe is attached
            (a send is then a plain push onto it), and ``None`` otherwise.
    """

    __slots__ = ("_next", "_on_lane", "_on_writable", "last_target", "pipes")

    def __init__(self, on_writable: Callable[[], None], on_lane: FastLane = no_lane) -> None:
        self.pipes: list[Pipe] = []
        self.last_target: Pipe | None = None
        """The pipe the last message went to (a REQ expects its reply from there)."""
        self._next = 0
        self._on_writable = on_writable
        self._on_lane = on_lane

    def attach(self, pipe: Pipe) -> bool:
        """Add ``pipe`` to the rotation."""
        self.pipes.append(pipe)
        pipe.outbound.on_writable = self._on_writable
        self._update_lane()
        self._on_writable()
        return True

    def detach(self, pipe: Pipe) -> None:
        """Remove ``pipe`` from the rotation."""
        try:
            index = self.pipes.index(pipe)
        except ValueError:
            return
        del self.pipes[index]
        if index < self._next:
            self._next -= 1
        self._update_lane()

    terminate = detach

    @property
    def last_pipe(self) -> None:
        """None: a load balancer receives nothing."""
        return None

    def _update_lane(self) -> None:
        pipes = self.pipes
        if len(pipes) == 1:
            self.last_target = pipe = pipes[0]
            self._on_lane(lane(pipe, pipe.outbound))
        else:
            self._on_lane(None)

    @property
    def writable(self) -> bool:
        """True when some pipe has room."""
        return any(not pipe.outbound.full for pipe in self.pipes)

    def send_nowait(self, message: Message) -> None:
        """Queue ``message`` on the next pipe with room.

        Raises:
            Again: Every pipe is full, or there is none.
        """
        pipes = self.pipes
        count = len(pipes)
        start = self._next
        for step in range(count):
            index = (start + step) % count
            queue = pipes[index].outbound
            if not queue.full:
                queue.push(message)
                self.last_target = pipes[index]
                self._next = index + 1
                return
        raise Again("no peer can take the message now")
