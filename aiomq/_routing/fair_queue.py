"""FairQueue: take whole messages from ready pipes in turn (RFC 30)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from .._pipe import FastLane, Message, Pipe, lane, no_lane
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
        on_lane: Told the one pipe's inbound queue while exactly one live pipe is
            attached (a receive is then a plain pop from it), and ``None`` otherwise.
            The socket's pops bypass ``recv_nowait``, so the pipe may stay in the
            ready list with an empty queue; it is skipped there, and listed only once.
    """

    __slots__ = ("_on_lane", "_on_readable", "_ready", "last_pipe", "pipes")

    def __init__(self, on_readable: Callable[[], None], on_lane: FastLane = no_lane) -> None:
        self.pipes: set[Pipe] = set()
        self.last_pipe: Pipe | None = None
        """The pipe the last message came from (for envelopes and routing ids)."""
        self._ready: deque[Pipe] = deque()
        self._on_readable = on_readable
        self._on_lane = on_lane

    def attach(self, pipe: Pipe) -> bool:
        """Start reading from ``pipe``."""
        self.pipes.add(pipe)
        ready = self._ready
        on_readable = self._on_readable

        def activate() -> None:
            if not ready or ready[-1] is not pipe:  # a lane leaves it listed
                ready.append(pipe)
            on_readable()

        pipe.inbound.on_readable = activate
        if len(pipe.inbound):
            activate()
        self._update_lane()
        return True

    def detach(self, pipe: Pipe) -> None:
        """Stop reading from ``pipe``; what it receives from now on is not read."""
        self.pipes.discard(pipe)
        pipe.inbound.on_readable = _nothing
        while pipe in self._ready:
            self._ready.remove(pipe)
        self._update_lane()

    def terminate(self, pipe: Pipe) -> None:
        """Keep reading ``pipe`` until drained (the socket detaches it then)."""
        self._update_lane()

    def _update_lane(self) -> None:
        pipes = self.pipes
        if len(pipes) == 1:
            (pipe,) = pipes
            self.last_pipe = pipe
            self._on_lane(lane(pipe, pipe.inbound))
            return
        self._on_lane(None)
        # Drop the entries a lane left behind: each listed pipe once, and only with input.
        ready = self._ready
        if ready:
            listed = [pipe for pipe in dict.fromkeys(ready) if len(pipe.inbound)]
            ready.clear()
            ready.extend(listed)

    @property
    def readable(self) -> bool:
        """True when some pipe has a message."""
        ready = self._ready
        return bool(ready) and any(len(pipe.inbound) for pipe in ready)

    @property
    def idle(self) -> bool:
        """True when no pipe can have a message: a cheap test before ``recv_nowait``."""
        return not self._ready

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
