"""ExclusivePair: one peer at a time, both directions (RFC 31)."""

from __future__ import annotations

from collections.abc import Callable

from .._pipe import FastLane, Message, Pipe, lane, no_lane
from ..errors import Again

__all__ = ["ExclusivePair"]


class ExclusivePair:
    """Routes everything through the one attached pipe; refuses a second peer.

    Args:
        on_readable: Called when a message may have become available.
        on_writable: Called when sending may have become possible.
        on_in_lane: Told the peer's inbound queue while a live peer is attached, else
            ``None`` (receives may pop from it directly).
        on_out_lane: The same for the peer's outbound queue (sends may push onto it).
    """

    __slots__ = ("_on_in_lane", "_on_out_lane", "_on_readable", "_on_writable", "pipe")

    def __init__(
        self,
        on_readable: Callable[[], None],
        on_writable: Callable[[], None],
        on_in_lane: FastLane = no_lane,
        on_out_lane: FastLane = no_lane,
    ) -> None:
        self.pipe: Pipe | None = None
        self._on_readable = on_readable
        self._on_writable = on_writable
        self._on_in_lane = on_in_lane
        self._on_out_lane = on_out_lane

    def attach(self, pipe: Pipe) -> bool:
        """Take ``pipe`` as the peer, unless there already is one."""
        if self.pipe is not None:
            return False
        self.pipe = pipe
        pipe.inbound.on_readable = self._on_readable
        pipe.outbound.on_writable = self._on_writable
        self._update_lanes()
        self._on_readable()
        self._on_writable()
        return True

    def detach(self, pipe: Pipe) -> None:
        """Forget ``pipe`` if it is the peer."""
        if self.pipe is pipe:
            self.pipe = None
            self._update_lanes()

    def terminate(self, pipe: Pipe) -> None:
        """Stop sending to ``pipe``; it stays readable until drained."""
        self._update_lanes()

    @property
    def last_pipe(self) -> Pipe | None:
        """The peer's pipe: every message comes from it."""
        return self.pipe

    def _update_lanes(self) -> None:
        pipe = self.pipe
        self._on_in_lane(lane(pipe, pipe.inbound if pipe is not None else None))
        self._on_out_lane(lane(pipe, pipe.outbound if pipe is not None else None))

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
