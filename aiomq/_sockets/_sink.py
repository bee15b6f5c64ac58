"""The socket side of pipe attachment: what the connection layers call, off the public API.

Sessions, listeners, inproc and multicast links hand a socket the pipes of its peers
through `SocketLink.sink` (the `PipeSink` protocol). A socket's sink is a `SocketSink`:
it routes each pipe through the socket's strategies, and calls the socket's
``_attached``/``_reconnected`` hooks, so that ``aiomq.Socket`` itself shows users only
zmq.asyncio's API.

Layer 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._pipe import Pipe
from .._routing import Strategy

if TYPE_CHECKING:
    from .base import Socket

__all__ = ["SocketSink"]


class SocketSink:
    """A socket's `PipeSink`.

    Args:
        socket: The socket whose strategies route the pipes.
    """

    __slots__ = ("_socket",)

    def __init__(self, socket: Socket) -> None:
        self._socket = socket

    def attach_pipe(self, pipe: Pipe) -> bool:
        """Route through a new peer's pipe; False refuses the peer (the socket is closed,
        or a strategy refuses it: a second PAIR peer, a taken routing id)."""
        socket = self._socket
        if socket._closed:
            return False
        done: list[Strategy] = []
        for strategy in socket._strategies:
            if not strategy.attach(pipe):
                for attached in done:
                    attached.detach(pipe)
                return False
            done.append(strategy)
        pipe.on_drained = self.detach_pipe
        socket._attached(pipe)
        return True

    def terminate_pipe(self, pipe: Pipe) -> None:
        """The peer left: stop sending to it, deliver what it sent, then drop it."""
        pipe.terminating = True
        pipe.outbound.clear()
        for strategy in self._socket._strategies:
            strategy.terminate(pipe)
        if not len(pipe.inbound):
            self.detach_pipe(pipe)

    def pipe_reconnected(self, pipe: Pipe) -> None:
        """A session's pipe has a new connection beneath it."""
        self._socket._reconnected(pipe)

    def detach_pipe(self, pipe: Pipe) -> None:
        """Drop a pipe now, with whatever it holds."""
        socket = self._socket
        for strategy in socket._strategies:
            strategy.detach(pipe)
        socket._writable.set()
