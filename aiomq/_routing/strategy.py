"""The interface every routing strategy implements."""

from __future__ import annotations

from typing import Protocol

from .._pipe import Pipe

__all__ = ["Strategy"]


class Strategy(Protocol):
    """What the socket base needs from a strategy."""

    def attach(self, pipe: Pipe) -> bool:
        """Start routing through ``pipe``; False refuses the peer."""
        ...

    def detach(self, pipe: Pipe) -> None:
        """Stop routing through ``pipe`` (it may not be attached)."""
        ...

    def terminate(self, pipe: Pipe) -> None:
        """The peer is gone: stop sending to ``pipe``; keep reading until it is drained."""
        ...

    @property
    def last_pipe(self) -> Pipe | None:
        """The pipe the last message received through this strategy came from (its
        connection's properties are the message's); None for a strategy that only
        sends, and before the first message."""
        ...
