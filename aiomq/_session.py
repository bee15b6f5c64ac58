"""Sessions: one per ``connect()``; own a pipe, reconnect, outlive their engines.

A session creates its pipe at once (unless ``IMMEDIATE`` is set), so messages sent before
the peer exists queue up to ``SNDHWM`` and go out once it connects (RFC 30). When the
connection fails or drops, the session retries after ``RECONNECT_IVL``, doubling up to
``RECONNECT_IVL_MAX`` when that is larger. A peer that refused us with an ERROR command
(RFC 37: fatal, "do not reconnect with the same credentials") is retried with a delay that
doubles on every consecutive refusal, whatever ``RECONNECT_IVL_MAX`` says, up to
``max(RECONNECT_IVL_MAX, REFUSED_RECONNECT_IVL_MAX)``; a connection that completed its
handshake and ended without an ERROR resets it.

Layer 4.
"""

from __future__ import annotations

import asyncio
import errno
import random

from ._engine import Engine
from ._link import SocketLink
from ._pipe import Pipe
from ._transports import StreamTransport
from .constants import Event
from .endpoint import Endpoint
from .zmtp import HandshakeComplete

__all__ = ["REFUSED_RECONNECT_IVL_MAX", "Session"]

REFUSED_RECONNECT_IVL_MAX = 60_000
"""Cap (ms) of the backoff after ERROR refusals, unless RECONNECT_IVL_MAX is larger."""


class Session:
    """Keeps one outgoing endpoint connected.

    Args:
        link: The socket's services.
        endpoint: Where to connect.
        transport: The stream transport module for ``endpoint``.
    """

    def __init__(self, link: SocketLink, endpoint: Endpoint, transport: StreamTransport) -> None:
        self._link = link
        self.endpoint = endpoint
        self._name = str(endpoint)
        self._transport = transport
        self._pipe: Pipe | None = None
        self._engine: Engine | None = None
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._interval = link.options.reconnect_ivl
        self._refused_delay = 0  # the last delay after an ERROR refusal; 0: no refusal streak
        self._closing = False
        self.closed: asyncio.Future[None] | None = None

    def start(self) -> None:
        """Create the pipe (unless IMMEDIATE) and begin connecting, on the socket's
        event loop (``link.loop`` is set by now)."""
        if self._closing:
            return
        self.closed = self._link.loop.create_future()
        if not self._link.options.immediate:
            pipe = self._link.new_pipe(self._name, connecting=True)
            if self._link.sink.attach_pipe(pipe):
                self._pipe = pipe
        self._connect_now()

    # -- connecting -------------------------------------------------------------------

    def _connect_now(self) -> None:
        self._timer = None
        self._task = self._link.loop.create_task(self._connect())

    async def _connect(self) -> None:
        # libzmq's order: a TCP connect is asynchronous (CONNECT_DELAYED, errno
        # EINPROGRESS) and ends in CONNECTED or, failing, in CLOSED (of the connecting
        # socket) and CONNECT_RETRIED; an IPC connect fails at once (CLOSED, RETRIED).
        if self.endpoint.transport == "tcp":
            self._link.monitor(Event.CONNECT_DELAYED, self._name, errno.EINPROGRESS)
        try:
            timeout = self._link.options.connect_timeout
            await self._transport.connect(
                self._link.loop, self.endpoint, self._new_engine, timeout / 1000 or None
            )
        except OSError:
            self._task = None
            self._engine = None
            self._link.monitor(Event.CLOSED, self._name, 0)
            self._retry()
            return
        self._task = None
        self._link.monitor(Event.CONNECTED, self._name, 0)

    def _new_engine(self) -> Engine:
        self._engine = self._link.new_engine(self, self._name)
        return self._engine

    def _retry(self, *, refused: bool = False) -> None:
        if self._closing and self._pipe is None:
            self._finish()
            return
        options = self._link.options
        if options.reconnect_ivl < 0:
            if self._closing:
                self._finish()
            return
        delay = self._interval
        if refused:
            if self._refused_delay:
                cap = max(options.reconnect_ivl_max, REFUSED_RECONNECT_IVL_MAX)
                delay = max(min(self._refused_delay * 2, cap), delay)
            self._refused_delay = max(delay, 1)
        elif options.reconnect_ivl_max > delay:
            self._interval = min(delay * 2, options.reconnect_ivl_max)
        delay += random.randrange(max(options.reconnect_ivl, 1)) // 10
        self._link.monitor(Event.CONNECT_RETRIED, self._name, delay)
        self._timer = self._link.loop.call_later(delay / 1000, self._connect_now)

    # -- EngineOwner --------------------------------------------------------------------

    def engine_ready(self, engine: Engine, handshake: HandshakeComplete) -> Pipe | None:
        """Serve the session's pipe (creating it under IMMEDIATE)."""
        pipe = self._pipe
        if pipe is None:
            pipe = self._link.new_pipe(self._name, connecting=True)
            pipe.peer_socket_type = handshake.peer_socket_type
            pipe.peer_identity = handshake.peer_identity
            if not self._link.sink.attach_pipe(pipe):
                return None
            self._pipe = pipe
        else:
            pipe.peer_socket_type = handshake.peer_socket_type
            pipe.peer_identity = handshake.peer_identity
            self._link.sink.pipe_reconnected(pipe)
        self._interval = self._link.options.reconnect_ivl
        if self._closing:
            engine.close(linger=True)
        return pipe

    def engine_closed(self, engine: Engine, *, ready: bool, error: Event | None) -> None:
        """Report the drop and reconnect, unless the session is closing."""
        if self._engine is engine:
            self._engine = None
        if error is not None:
            self._link.monitor(error, self._name, 0)
        if ready:
            self._link.monitor(Event.DISCONNECTED, self._name, 0)
            if not engine.refused:
                self._refused_delay = 0
        if self._closing and (ready or self._pipe is None or not len(self._pipe.outbound)):
            self._finish()
            return
        if self._link.options.immediate and self._pipe is not None:
            self._link.sink.terminate_pipe(self._pipe)
            self._pipe = None
        self._retry(refused=engine.refused)

    # -- closing ----------------------------------------------------------------------

    def close(self, linger: int) -> asyncio.Future[None] | None:
        """Stop the session; with ``linger`` (ms, -1 = forever) flush the pipe first.

        Returns:
            A future done when the session has ended; None if it never started.
        """
        if self._closing:
            return self.closed
        self._closing = True
        if self.closed is None:  # never started: no pipe, no connection
            return None
        pipe = self._pipe
        engine = self._engine
        unsent = pipe is not None and (
            len(pipe.outbound) > 0 or (engine is not None and engine.has_unsent())
        )
        if linger == 0 or not unsent:
            self._finish()
            return self.closed
        if engine is not None and engine.pipe is not None:
            engine.close(linger=True)
        if linger > 0:
            self._link.loop.call_later(linger / 1000, self._finish)
        return self.closed

    def _finish(self) -> None:
        if self.closed is None or self.closed.done():
            return
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None:
            self._task.cancel()
        if self._engine is not None:
            self._engine.abort()
            self._engine = None
        if self._pipe is not None:
            self._link.sink.detach_pipe(self._pipe)
            self._pipe = None
        self.closed.set_result(None)
