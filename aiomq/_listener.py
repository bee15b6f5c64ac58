"""Listeners: one per ``bind()`` on a stream transport; one engine per accepted peer.

A pipe is created and attached only once a peer's handshake completes, so a peer that
never greets costs one engine and nothing in the socket's routing.

Layer 4.
"""

from __future__ import annotations

import asyncio
import contextlib

from ._engine import Engine
from ._link import SocketLink
from ._pipe import Pipe
from ._transports import Listening
from .constants import Event
from .zmtp import HandshakeComplete

__all__ = ["Listener"]


class Listener:
    """Accepts connections on one bound endpoint.

    Args:
        link: The socket's services.
        listening: The bound socket from the transport.
    """

    def __init__(self, link: SocketLink, listening: Listening) -> None:
        self._link = link
        self._listening = listening
        self.endpoint = listening.endpoint
        self._engines: set[Engine] = set()
        self._server: asyncio.AbstractServer | None = None
        self._closing = False
        self.closed: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start accepting on the socket's event loop (``link.loop`` is set by now)."""
        if self._closing:
            return
        self.closed = self._link.loop.create_future()
        self._task = self._link.loop.create_task(self._serve())

    async def _serve(self) -> None:
        self._server = await self._link.loop.create_server(
            self._new_engine, sock=self._listening.sock
        )
        self._task = None
        self._link.monitor(Event.LISTENING, self.endpoint, 0)

    def _new_engine(self) -> Engine:
        engine = self._link.new_engine(self, self.endpoint)
        self._engines.add(engine)
        self._link.monitor(Event.ACCEPTED, self.endpoint, 0)
        return engine

    # -- EngineOwner --------------------------------------------------------------------

    def engine_ready(self, engine: Engine, handshake: HandshakeComplete) -> Pipe | None:
        """Create and attach a pipe for the new peer."""
        if self._closing:
            return None
        pipe = self._link.new_pipe(self.endpoint)
        pipe.peer_socket_type = handshake.peer_socket_type
        pipe.peer_identity = handshake.peer_identity
        if not self._link.sink.attach_pipe(pipe):
            return None
        return pipe

    def engine_closed(self, engine: Engine, *, ready: bool, error: Event | None) -> None:
        """Let the peer's pipe go once its messages are read."""
        self._engines.discard(engine)
        if error is not None:
            self._link.monitor(error, self.endpoint, 0)
        if ready and engine.pipe is not None:
            self._link.sink.terminate_pipe(engine.pipe)
            self._link.monitor(Event.DISCONNECTED, self.endpoint, 0)
        if self._closing and not self._engines:
            self._finish()

    # -- closing ----------------------------------------------------------------------

    def close(self, linger: int) -> asyncio.Future[None] | None:
        """Stop listening and close every accepted connection.

        With ``linger`` (ms, -1 = forever) connections first write what their pipes hold.

        Returns:
            A future done when every connection has ended; None if it never started.
        """
        if self._closing:
            return self.closed
        self._closing = True
        if self.closed is None:  # never started: nothing was accepted
            self._listening.sock.close()
            self._listening.cleanup()
            return None
        if self._task is not None:
            self._task.cancel()
        if self._server is not None:
            self._server.close()
        else:
            self._listening.sock.close()
        self._listening.cleanup()
        for engine in list(self._engines):
            engine.close(linger=linger != 0 and engine.has_unsent())
        if not self._engines:
            self._finish()
        elif linger > 0:
            self._link.loop.call_later(linger / 1000, self._finish)
        return self.closed

    def _finish(self) -> None:
        if self.closed is None or self.closed.done():
            return
        for engine in list(self._engines):
            engine.abort()
        self._engines.clear()
        with contextlib.suppress(OSError):
            self._listening.sock.close()
        self._link.monitor(Event.CLOSED, self.endpoint, 0)
        self.closed.set_result(None)
